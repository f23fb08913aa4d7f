"""EmbeddedSystem wiring: sectors route a new alarm, and its change reaches a signed webhook."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from kuzet.config.root import KuzetConfig
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.runtime.system import EmbeddedSystem

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integrations"))
from receivers import SECRET, receiver  # noqa: E402


def test_alarm_is_routed_and_pushed(tmp_path: Path) -> None:
    with receiver(script=[500]) as got:
        config = KuzetConfig.model_validate({
            "timezone": "Asia/Almaty",
            "cameras": {"gate": {"source": {"url": "a.mp4"}, "site": "north gate"}},
            "response": {"sectors": {"north": {"sites": ["north gate"]}}},
            "integrations": {"webhooks": [{"name": "cad", "url": got.url, "secret": SECRET,
                                           "backoff": 0.1}], "poll": 0.1},
        })  # fmt: skip
        system = EmbeddedSystem(config, tmp_path)
        try:
            system.writes.start()
            system.integrations.start()
            system.bus.publish(Event(
                id="ev-1", camera_id="gate", kind=EventKind.FIGHT, rule_id="fight",
                phase=EventPhase.OPEN, started_at=datetime.now(UTC), severity=Severity.ALERT))
            first, second = got.wait_for(2)
            app = system.create_app()
            assert app.state.deps.integrations is system.integrations
        finally:
            system.stop()
    assert (first.status, second.status) == (500, 200) and second.authentic
    message = second.json
    assert (message["type"], message["action"], message["sector"]) == ("alarm", "open", "north")
    assert message["data"]["queue"] == "supervisors"  # nobody on shift in north
