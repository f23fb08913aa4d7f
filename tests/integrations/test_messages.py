"""Which changes also escalate to the supervisors, and the message shape."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kuzet.integrations.messages import messages


@pytest.mark.parametrize(("topic", "action", "escalation"), [
    ("alarm", "skip", ("acknowledge_limit", "acknowledge")),
    ("alarm", "breach", ("resolve_limit", "resolve")),
    ("incident", "step_skip", ("step_skipped", None)),
    ("alarm", "acknowledge", None),
    ("incident", "skip", None),
])  # fmt: skip
def test_which_changes_escalate(topic: str, action: str,
                                escalation: tuple[str, str | None] | None) -> None:
    change = SimpleNamespace(topic=topic, id="x", action=action, cameras=("gate",),
                             data={"updated_at": "t"})
    found = messages(change)
    assert found[0]["type"] == topic and found[0]["at"] == "t"
    if escalation is None:
        assert len(found) == 1
    else:
        assert (found[1]["type"], found[1]["cause"], found[1]["limit"]) == ("escalation",
                                                                            *escalation)
        assert found[1]["audience"] == "supervisors"
