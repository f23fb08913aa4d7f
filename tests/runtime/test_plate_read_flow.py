"""EmbeddedSystem wiring: a PlateRead on Supervisor.plate_reads is stored and matched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from kuzet.config.root import KuzetConfig
from kuzet.core.sightings import PlateRead
from kuzet.identity.hotlists import HotlistRepo
from kuzet.identity.plate_reads import ReadQuery
from kuzet.runtime.system import EmbeddedSystem
from kuzet.store.events import EventQuery


def test_plate_reads_reach_the_hotlist_service(tmp_path: Path) -> None:
    config = KuzetConfig.model_validate({"cameras": {"gate": {"source": {"url": "a.mp4"}}}})
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
        system.supervisor.plate_reads.publish(read)  # queued in the outbox ...
        assert system.writes.outbox.drain_once() == 1  # ... and applied by its drainer
        system.writes.outbox.drain_once()  # the plate_hit events the read raised
        assert [r["text"] for r in system.hotlists.reads.search(ReadQuery())] == ["777KZA02"]
        events = system.store.events.list(EventQuery(kinds=["plate_hit"])).items
        assert len(events) == 1 and events[0].severity == "critical"
    finally:
        system.stop()
