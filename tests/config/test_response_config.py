"""The `response:` section: defaults, and errors with line numbers for unknown cameras."""

from __future__ import annotations

import pytest

from kuzet.config.errors import InvalidConfigError
from kuzet.config.load import load_config_text
from kuzet.config.response import Priority

BASE = "cameras:\n  gate: {source: {url: a.mp4}}\n"
CASES = [
    ("response:\n  rules:\n    - {rule: r1, camera: yard, priority: high}\n",
     "response.rules[0].camera", 5, "unknown camera 'yard'"),
    ("response:\n  correlation:\n    - {name: venue, cameras: [gate, yard]}\n",
     "response.correlation[0].cameras", 5, "unknown camera 'yard'"),
    ("response:\n  kinds: {fight: urgent}\n", "response.kinds.fight", 4, "critical"),
    ("response:\n  acknowledge_within: {high: 0}\n", "response.acknowledge_within.high", 4,
     "greater than 0"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "path", "line", "fragment"), CASES)
def test_errors(text: str, path: str, line: int, fragment: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        load_config_text(BASE + text, "t.yml", env={})
    issues = caught.value.errors
    assert [(i.path, i.line) for i in issues] == [(path, line)], issues
    assert fragment in issues[0].message


def test_defaults_and_overrides() -> None:
    config = load_config_text(BASE + "response:\n  kinds: {fight: critical}\n"
                              "  acknowledge_within: {low: null}\n", "t.yml", env={})
    response = config.response
    assert response.enabled and response.kinds == {"fight": Priority.CRITICAL}
    assert response.acknowledge_within.for_priority(Priority.LOW) is None
    assert response.acknowledge_within.for_priority(Priority.CRITICAL) == 60.0
    assert response.resolve_within.for_priority(Priority.MEDIUM) == 14_400.0
