"""Face identity end to end on real photos: enrol, match, two-person confirmation, expiry.

Uses ../shared/data/faces/face_recognition_examples (identities.csv) and the
installed model pack; skips cleanly when either is absent.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from face_probes import FACE_DATA, probe_of
from kuzet.config.identity import IdentityConfig
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.events.bus import Bus
from kuzet.identity.confirmation import ConflictError, Decision, MatchStatus
from kuzet.identity.enrol import Enroller, EnrolmentError, decode_photo
from kuzet.identity.models import FaceMatchRow, FaceSightingRow, WatchlistEntryRow
from kuzet.identity.service import IdentityService
from kuzet.identity.sightings import SightingPurger
from kuzet.store import MediaStore, open_store

DATA = FACE_DATA
ENROL = "examples/obama.jpg"
SAME = ["examples/obama2.jpg", "tests/test_images/obama3.jpg"]  # one track, two probes
OTHERS = ["biden", "alex_lacamoire", "kit_harington", "rose_leslie"]


def _identities() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with (DATA / "identities.csv").open() as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["identity"], []).append(row["file"])
    return found


@pytest.fixture
def system(
    tmp_path: Path, enroller: Enroller, db_url: str | None
) -> Iterator[tuple[IdentityService, list[Event]]]:
    """An identity service on a fresh store (both engines); the events it publishes are
    collected."""
    store = open_store(db_url, tmp_path)
    bus: Bus[Event] = Bus()
    events: list[Event] = []
    bus.subscribe(events.append)
    yield IdentityService(store.engine, MediaStore(tmp_path / "media"), bus,
                          IdentityConfig(), enroller), events
    store.close()


def enrol(service: IdentityService, name: str, photo: Path, **overrides: Any) -> str:
    """A wanted-list entry for ``name`` enrolled from one photo; returns the entry id."""
    wl = service.watchlists.create_list("wanted", "wanted", 0.5, "", "admin")
    values = {"name": name, "legal_basis": "court order", "authority": "city court",
              "case_ref": "C-1", "purpose": "arrest warrant", "owner": "unit 7",
              "expires_at": datetime.now(UTC) + timedelta(days=30), **overrides}
    entry = service.watchlists.create_entry(wl.id, values, "admin")
    face = service.enroller.enrol(photo.read_bytes())
    key = f"watchlists/{entry.id}/p1.jpg"
    digest = service.media.put(key, face.jpeg)
    service.watchlists.add_photo(entry.id, key, digest, face.embedding, face.quality, "admin")
    service.entry_changed(entry.id)
    return entry.id


def test_enrol_match_confirm_and_expire(system: tuple[IdentityService, list[Event]]) -> None:
    service, events = system
    ids = _identities()
    entry_id = enrol(service, "obama", DATA / ENROL)
    probes = [probe_of(service.enroller, DATA / f, track=1) for f in SAME]
    for track, person in enumerate(OTHERS, start=2):
        probes.append(probe_of(service.enroller, DATA / ids[person][0], track))
    new = [m for p in probes for m in service.handle(p)]
    # Exactly one pending match, for them (two probes of their track: still one match).
    assert [(m.entry_id, m.track_id, m.status) for m in new] == [(entry_id, 1, "pending")]
    match = new[0]
    assert match.score <= 0.5 and len(match.probe_sha256) == 64
    assert [(e.kind, e.phase, e.severity, e.attrs["status"]) for e in events] == [
        (EventKind.FACE_MATCH, EventPhase.OPEN, Severity.DETECTION, "pending")]
    assert events[0].attrs["entry_name"] == "obama" and events[0].attrs["match_id"] == match.id
    # Two-person confirmation: the same user twice is refused; two users make it actionable.
    first = service.decide(match.id, "u1", "sup1", Decision.CONFIRM)
    assert first.match.status == MatchStatus.PENDING
    with pytest.raises(ConflictError, match="already confirmed"):
        service.decide(match.id, "u1", "sup1", Decision.CONFIRM)
    done = service.decide(match.id, "u2", "sup2", Decision.CONFIRM)
    assert done.match.status == MatchStatus.CONFIRMED
    assert [c.username for c in done.confirmations] == ["sup1", "sup2"]
    assert (events[-1].phase, events[-1].severity, events[-1].attrs["status"]) == (
        EventPhase.UPDATE, Severity.CRITICAL, "confirmed")
    # An expired entry produces no match, even before the index is refreshed.
    with service.watchlists._sessions.begin() as session:
        row = session.get(WatchlistEntryRow, entry_id)
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(days=1)
    assert service.handle(probe_of(service.enroller, DATA / SAME[0], track=99)) == []


def test_suspended_entry_never_matches(system: tuple[IdentityService, list[Event]]) -> None:
    service, _ = system
    entry_id = enrol(service, "obama", DATA / ENROL)
    service.watchlists.update_entry(entry_id, {"status": "suspended"})
    service.entry_changed(entry_id)
    assert service.handle(probe_of(service.enroller, DATA / SAME[0], track=1)) == []
    service.watchlists.update_entry(entry_id, {"status": "active"})
    service.entry_changed(entry_id)
    assert len(service.handle(probe_of(service.enroller, DATA / SAME[0], track=2))) == 1


def test_unmatched_probes_leave_nothing_stored(
    system: tuple[IdentityService, list[Event]], tmp_path: Path
) -> None:
    service, events = system
    enrol(service, "obama", DATA / ENROL)
    before = sorted(p for p in (tmp_path / "media").rglob("*") if p.is_file())
    ids = _identities()
    for track, person in enumerate(OTHERS, start=2):
        assert service.handle(probe_of(service.enroller, DATA / ids[person][0], track)) == []
    assert sorted(p for p in (tmp_path / "media").rglob("*") if p.is_file()) == before
    with service.watchlists._sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(FaceSightingRow)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(FaceMatchRow)) == 0
    assert events == [] and service.dropped == len(OTHERS)


def test_retained_sightings_are_searchable_and_purged(
    system: tuple[IdentityService, list[Event]]
) -> None:
    service, _ = system
    service.config = IdentityConfig(retain_unmatched=True, retain_days=3)
    ids = _identities()
    for track, person in enumerate(["obama", *OTHERS], start=1):
        service.handle(probe_of(service.enroller, DATA / ids[person][0], track))
    assert service.sightings.count() == 5
    query = service.enroller.enrol((DATA / SAME[0]).read_bytes()).embedding
    hits = service.sightings.search(query, 0.5, None)
    assert [h.sighting.track_id for h in hits] == [1]
    assert service.sightings.search(query, 0.5, ["hall"]) == []
    purger = SightingPurger(service.watchlists._sessions.kw["bind"], service.media)
    assert purger.purge(datetime.now(UTC) - timedelta(days=1), dry_run=False) == 0  # kept 3 days
    assert purger.purge(datetime.now(UTC) + timedelta(minutes=1), dry_run=True) == 5
    assert purger.purge(datetime.now(UTC) + timedelta(minutes=1), dry_run=False) == 5
    assert not list((service.media.root / "faces").rglob("*.jpg"))
    assert service.sightings.count() == 0


@pytest.mark.parametrize(
    ("photo", "message"),
    [("examples/two_people.jpg", "shows 2 faces"), ("examples/obama-240p.jpg", "too small")],
)
def test_enrolment_refuses_bad_photos(enroller: Enroller, photo: str, message: str) -> None:
    with pytest.raises(EnrolmentError, match=message):
        enroller.enrol((DATA / photo).read_bytes())


def test_enrolment_refuses_no_face_and_blur(enroller: Enroller) -> None:
    import cv2

    blank = cv2.imencode(".jpg", np.full((480, 640, 3), 128, np.uint8))[1].tobytes()
    with pytest.raises(EnrolmentError, match="no face found"):
        enroller.enrol(blank)
    with pytest.raises(EnrolmentError, match="could not be decoded"):
        enroller.enrol(b"not an image")
    sharp = decode_photo((DATA / ENROL).read_bytes())
    blurred = cv2.imencode(".jpg", cv2.GaussianBlur(sharp, (0, 0), 6))[1].tobytes()
    with pytest.raises(EnrolmentError, match="too blurry"):
        enroller.enrol(blurred)


def test_a_probe_replayed_by_the_outbox_is_stored_once(
    system: tuple[IdentityService, list[Event]], tmp_path: Path
) -> None:
    # Before, a probe applied just before a crash and replayed at the next start
    # stored a second sighting and a second match (issue 14).
    from kuzet.store.outbox import Outbox

    service, events = system
    service.config = IdentityConfig(retain_unmatched=True, retain_days=3)
    enrol(service, "obama", DATA / ENROL)
    probe = probe_of(service.enroller, DATA / SAME[0], track=1)
    box = Outbox(tmp_path / "outbox.db")
    box.handle("face_probe", service.handle)
    key = box.put("face_probe", probe)
    [first] = service.handle(probe, key)  # applied, then the server died before the delete
    engine = service.watchlists._sessions.kw["bind"]
    restarted = IdentityService(engine, service.media, service.bus, service.config,
                                service.enroller)
    box.handle("face_probe", restarted.handle)
    assert box.drain_once() == 1 and box.state().pending == 0
    box.stop(0)
    with service.watchlists._sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(FaceSightingRow)) == 1
        matches = list(session.scalars(sa.select(FaceMatchRow)))
    assert [m.id for m in matches] == [first.id]
    assert {e.id for e in events} == {first.event_id}, "the replay re-published the same event"


def test_a_track_decision_carries_its_looks_and_does_not_repeat_the_early_match(
    system: tuple[IdentityService, list[Event]],
) -> None:
    # A track's early probe (one face) matches; its decision (two faces combined)
    # matches the same entry: one match for the track, recorded with its looks.
    service, events = system
    entry_id = enrol(service, "obama", DATA / ENROL)
    early, other = (probe_of(service.enroller, DATA / f, track=1) for f in SAME)
    combined = np.mean([early.embedding, other.embedding], axis=0).astype(np.float32)
    decision = dataclasses.replace(early, embedding=combined, final=True, looks=2)
    first = service.handle(dataclasses.replace(early, final=False, looks=1))
    assert [(m.entry_id, m.looks) for m in first] == [(entry_id, 1)]
    assert service.handle(decision) == []  # the track already has this entry's match
    # Another track decided from two looks: its match and event carry the looks.
    (match,) = service.handle(dataclasses.replace(decision, track_id=2))
    assert match.looks == 2 and events[-1].attrs["looks"] == 2
    with service.matches._sessions() as session:  # stored, not only in memory
        assert session.get(FaceMatchRow, match.id).looks == 2  # type: ignore[union-attr]
