"""Hotlist governance, plate matching, hits, de-duplication and retention of plate reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kuzet.config.hotlists import HotlistsConfig
from kuzet.config.retention import RetentionConfig
from kuzet.core.sightings import PlateRead
from kuzet.core.types import Event, EventKind, EventPhase
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.identity.hotlists import HotlistError, HotlistRepo
from kuzet.identity.plates_service import HotlistService
from kuzet.privacy.audit import AuditLog
from kuzet.runtime.retention import retention_job
from kuzet.store import MediaStore, Store, open_store
from kuzet.store.events import EventQuery
from kuzet.store.models import EventRow, PlateReadRow

CROP = b"\xff\xd8\xff\xe0plate-crop\xff\xd9"


def entry_values(plate: str = "123ABC01", **overrides: Any) -> dict[str, Any]:
    """A complete, valid entry."""
    values: dict[str, Any] = {
        "plate": plate,
        "match": "exact",
        "reason": "stolen vehicle",
        "legal_basis": "Criminal Procedure Code art. 253",
        "authority": "Almaty police",
        "case_ref": "KZ-2026-0042",
        "owner": "officer.kim",
        "expires_at": datetime.now(UTC) + timedelta(days=30),
    }
    values.update(overrides)
    return values


def plate_read(text: str = "123ABC01", **overrides: Any) -> PlateRead:
    """A read from track 5 of camera gate."""
    values: dict[str, Any] = {
        "camera_id": "gate", "track_id": 5, "ts": 3.2, "wall": datetime.now(UTC).timestamp(),
        "text": text, "confidence": 0.91, "country": "KZ", "vehicle_class": "car",
        "box": (10.0, 20.0, 110.0, 50.0), "crop_jpeg": CROP, "final": True,
    }  # fmt: skip
    values.update(overrides)
    return PlateRead(**values)


@pytest.fixture
def store(tmp_path: Path, db_url: str | None) -> Iterator[Store]:
    opened = open_store(db_url, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def media(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def make_service(store: Store, media: MediaStore, **config: Any) -> HotlistService:
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    return HotlistService(store.engine, media, bus, HotlistsConfig(**config))


def hotlist_with(store: Store, *entries: dict[str, Any]) -> str:
    repo = HotlistRepo(store.engine)
    hotlist = repo.create_hotlist("stolen", "stolen", 2, "admin")
    for values in entries:
        repo.add_entry(hotlist.id, values, "admin")
    return hotlist.id


def plate_hit_events(store: Store) -> list[Any]:
    return store.events.list(EventQuery(kinds=["plate_hit"])).items


def test_track_sequence_raises_exactly_one_event(store: Store, media: MediaStore) -> None:
    hotlist_with(store, entry_values("123 ABC 01"))
    service = make_service(store, media)
    reads = [plate_read("123A8C01", final=False, ts=1.0), plate_read("123ABC01", final=False)]
    reads.append(plate_read("123ABC01", final=True, ts=4.0))
    published = [event for read in reads for event in service.handle(read)]
    assert len(published) == 1
    events = plate_hit_events(store)
    assert len(events) == 1
    event = events[0]
    assert event.kind == EventKind.PLATE_HIT and event.status == "closed"
    assert event.attrs["entry_plate"] == "123ABC01" and event.attrs["hotlist"] == "stolen"
    assert event.attrs["reason"] == "stolen vehicle"
    assert event.snapshot_key is not None and event.snapshot_key.startswith("plates/gate/")
    assert media.get(event.snapshot_key) == CROP
    assert len(service.reads.hits(None)) == 1
    other_track = service.handle(plate_read("123ABC01", track_id=9))
    assert len(other_track) == 1  # another vehicle with the plate alerts again


def test_a_track_decision_is_stored_once_and_hits_once(store: Store, media: MediaStore) -> None:
    # The early read (one confident look) hits; the final read of the same track
    # decision replaces it in the store and does not hit again, even long after.
    hotlist_with(store, entry_values("123 ABC 01"))
    service = make_service(store, media, repeat_s=0.0)
    wall = datetime.now(UTC).timestamp()
    early = plate_read(final=False, decision_id="d1", looks=1, wall=wall)
    final = plate_read(final=True, decision_id="d1", looks=4, confidence=0.97, wall=wall + 900)
    assert len(service.handle(early, "outbox-1")) == 1
    assert service.handle(final, "outbox-2") == []
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(PlateReadRow)).all()
    assert [(r.id, r.final, r.looks, r.confidence) for r in rows] == [("d1", True, 4, 0.97)]
    assert rows[0].crop_key is not None and media.get(rows[0].crop_key) == CROP  # the evidence
    (event,) = plate_hit_events(store)
    assert (event.attrs["looks"], event.attrs["final_read"]) == (1, False)
    assert service.handle(final, "outbox-2") == []  # replayed: no second row, no second hit


def test_a_final_decision_replaces_an_early_read_that_hit_nothing(
    store: Store, media: MediaStore
) -> None:
    hotlist_with(store, entry_values("123 ABC 01"))
    service = make_service(store, media)
    assert service.handle(plate_read("723XYZ07", final=False, decision_id="d2")) == []
    (hit,) = service.handle(plate_read("123ABC01", final=True, decision_id="d2", looks=3))
    attrs = hit.attrs
    assert (attrs["plate"], attrs["looks"], attrs["final_read"]) == ("123ABC01", 3, True)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(PlateReadRow)).all()
    assert [(r.id, r.text, r.final) for r in rows] == [("d2", "123ABC01", True)]
    assert sorted(p.name for p in (media.root / "plates").rglob("*.jpg")) == ["d2-final.jpg"]


@pytest.mark.parametrize(("fuzzy", "hits"), [(True, 1), (False, 0)])
def test_near_miss_hits_only_with_fuzzy(
    store: Store, media: MediaStore, fuzzy: bool, hits: int
) -> None:
    hotlist_with(store, entry_values("123ABC01"))
    service = make_service(store, media, fuzzy=fuzzy)
    events = service.handle(plate_read("123A8C01"))  # B read as 8
    assert len(events) == hits
    if hits:
        assert events[0].attrs["distance"] == 0.5


def test_two_unrelated_errors_do_not_hit(store: Store, media: MediaStore) -> None:
    hotlist_with(store, entry_values("123ABC01"))
    assert make_service(store, media).handle(plate_read("123XYC01")) == []


def test_expired_and_suspended_entries_never_match(store: Store, media: MediaStore) -> None:
    repo = HotlistRepo(store.engine)
    hotlist_id = hotlist_with(store)
    entry = repo.add_entry(
        hotlist_id, entry_values(expires_at=datetime.now(UTC) + timedelta(seconds=1)), "admin"
    )
    service = make_service(store, media)
    later = datetime.now(UTC) + timedelta(seconds=2)
    assert service.matches("123ABC01", later) == []
    assert len(service.matches("123ABC01", datetime.now(UTC))) == 1
    repo.update_entry(entry["id"], {"status": "suspended"})
    assert service.matches("123ABC01", datetime.now(UTC)) == []


def test_wildcard_entry(store: Store, media: MediaStore) -> None:
    hotlist_with(store, entry_values("777 * 02", match="wildcard"))
    service = make_service(store, media, fuzzy=False)
    assert len(service.handle(plate_read("777KZA02"))) == 1
    assert service.handle(plate_read("777KZA03", track_id=6)) == []


@pytest.mark.parametrize("missing", ["legal_basis", "owner", "expires_at", "reason"])
def test_entry_without_governance_is_refused(store: Store, missing: str) -> None:
    repo = HotlistRepo(store.engine)
    hotlist_id = hotlist_with(store)
    with pytest.raises(HotlistError) as info:
        values = entry_values()
        values[missing] = None
        repo.add_entry(hotlist_id, values, "admin")
    assert info.value.field == missing


@pytest.mark.parametrize(
    ("plate", "match"), [("12*", "wildcard"), ("123ABC01", "wildcard"), ("12?ABC", "exact")]
)
def test_bad_patterns_are_refused(store: Store, plate: str, match: str) -> None:
    with pytest.raises(HotlistError, match="plate"):
        HotlistRepo(store.engine).add_entry(
            hotlist_with(store), entry_values(plate, match=match), "admin"
        )


def test_retention_purges_reads_and_crops_but_keeps_held_hits(
    store: Store, media: MediaStore
) -> None:
    hotlist_with(store, entry_values("123ABC01"))
    service = make_service(store, media)
    old = (datetime.now(UTC) - timedelta(days=40)).timestamp()
    plain = service.reads.add(plate_read("999ZZZ01", wall=old))
    service.handle(dataclasses.replace(plate_read(), wall=old))
    held_event = plate_hit_events(store)[0]
    with store.engine.begin() as conn:
        hold = sa.update(EventRow).where(EventRow.id == held_event.id)
        conn.execute(hold.values(legal_hold=True))
    recent = service.reads.add(plate_read("555BBB01"))
    job = retention_job(store.engine, media, AuditLog(store.engine), RetentionConfig())
    report = job.run()
    assert report.removed["plate_reads"] == 1
    with store.engine.connect() as conn:
        left = set(conn.execute(sa.select(PlateReadRow.text)).scalars())
    assert left == {"123ABC01", "555BBB01"}
    assert plain.crop_key is not None and not media.exists(plain.crop_key)
    assert recent.crop_key is not None and media.exists(recent.crop_key)
    assert held_event.snapshot_key is not None and media.exists(held_event.snapshot_key)


def test_events_are_open_then_closed_on_the_bus(store: Store, media: MediaStore) -> None:
    hotlist_with(store, entry_values("123ABC01"))
    service = make_service(store, media)
    seen: list[Event] = []
    service.bus.subscribe(seen.append)
    service.handle(plate_read())
    assert [e.phase for e in seen] == [EventPhase.OPEN, EventPhase.CLOSE]
    assert len({e.id for e in seen}) == 1
