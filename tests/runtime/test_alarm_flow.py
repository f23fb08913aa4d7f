"""EmbeddedSystem wiring: a hotlist hit opens a critical alarm; the app serves that service."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kuzet.config.root import KuzetConfig
from kuzet.core.sightings import PlateRead
from kuzet.identity.hotlists import HotlistRepo
from kuzet.response.alarms import AlarmQuery
from kuzet.runtime.system import EmbeddedSystem


def test_plate_hit_opens_an_alarm(tmp_path: Path) -> None:
    config = KuzetConfig.model_validate({
        "cameras": {"gate": {"source": {"url": "a.mp4"}}},
        "response": {"escalate_every": 0.5},
    })  # fmt: skip
    system = EmbeddedSystem(config, tmp_path)
    try:
        repo = HotlistRepo(system.store.engine)
        hotlist = repo.create_hotlist("wanted", "wanted", 1, "admin")
        values = {
            "plate": "777KZA02", "reason": "wanted", "legal_basis": "warrant 7/26",
            "owner": "officer.kim", "expires_at": datetime.now(UTC) + timedelta(days=1),
        }  # fmt: skip
        repo.add_entry(hotlist.id, values, "admin")
        read = PlateRead(
            camera_id="gate", track_id=4, ts=2.0, wall=datetime.now(UTC).timestamp(),
            text="777KZA02", confidence=0.8, country="KZ", vehicle_class="car",
            box=(0.0, 0.0, 50.0, 12.0), crop_jpeg=b"\xff\xd8\xff\xd9",
        )  # fmt: skip
        system.writes.start()  # the outbox's thread applies reads, events and alarms
        system.supervisor.plate_reads.publish(read)
        deadline = time.monotonic() + 10  # the alarm is written by the outbox's thread
        alarms = system.response.alarms.page(AlarmQuery()).items
        while not alarms and time.monotonic() < deadline:
            time.sleep(0.05)
            alarms = system.response.alarms.page(AlarmQuery()).items
        assert [(a.kind, a.priority, a.state) for a in alarms] == [
            ("plate_hit", "critical", "new")]
        assert alarms[0].attrs["plate"] == "777KZA02"
        app = system.create_app()
        assert app.state.deps.response is system.response
        assert system.escalation.every_s == 0.5
    finally:
        system.stop()

