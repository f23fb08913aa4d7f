"""``kuzet retention run`` (a real subprocess on a real SQLite file) purges every data
class that has a retention setting: one expired item of each is seeded, and each must go."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from kuzet.config.retention import RetentionConfig
from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity
from kuzet.identity.models import FaceSightingRow
from kuzet.privacy.audit import AuditLog
from kuzet.privacy.keys import Signer
from kuzet.response.field_models import PositionRow
from kuzet.store import MediaStore, Store, open_store
from kuzet.store.models import AuditCheckpointRow, AuditRow, PlateReadRow

NOW = datetime.now(UTC)
DEFAULTS = RetentionConfig()
SETTINGS = [name for name in RetentionConfig.model_fields if name != "run_every"]


def _ago(days: int | None) -> datetime:
    assert days is not None, "the test expects every data class to have a default limit"
    return NOW - timedelta(days=days + 1)


def _event(store: Store, media: MediaStore, event_id: str, started: datetime) -> str:
    key = f"snapshots/gate/{started:%Y/%m/%d}/{event_id}.jpg"
    digest = media.put(key, b"\xff\xd8 jpeg of " + event_id.encode())
    store.events.upsert(
        Event(
            id=event_id, camera_id="gate", kind=EventKind.ZONE_PRESENCE, rule_id="r",
            phase=EventPhase.CLOSE, started_at=started, ended_at=started + timedelta(seconds=5),
            severity=Severity.ALERT, evidence=Evidence(snapshot_key=key, snapshot_sha256=digest),
        )
    )
    return key


def _seed_events(store: Store, media: MediaStore, data_dir: Path) -> None:
    _event(store, media, "ancient", _ago(DEFAULTS.events))


def _seed_snapshots(store: Store, media: MediaStore, data_dir: Path) -> None:
    assert DEFAULTS.snapshots is not None and DEFAULTS.events is not None
    assert DEFAULTS.snapshots < DEFAULTS.events  # the row outlives its snapshot
    _event(store, media, "old-snapshot", _ago(DEFAULTS.snapshots))


def _seed_clips(store: Store, media: MediaStore, data_dir: Path) -> None:
    media.put("clips/gate/old.mp4", b"not really a video")
    stamp = _ago(DEFAULTS.clips).timestamp()
    os.utime(media.path("clips/gate/old.mp4"), (stamp, stamp))


def _seed_plate_reads(store: Store, media: MediaStore, data_dir: Path) -> None:
    media.put("plates/gate/old.jpg", b"\xff\xd8 plate crop")
    row = PlateReadRow(
        id="read1", camera_id="gate", at=_ago(DEFAULTS.plate_reads), frame_ts=1.0,
        text="123ABC01", confidence=0.9, country="kz", crop_key="plates/gate/old.jpg",
        vehicle_class="car", track_id=1, final=True,
    )
    with sa.orm.Session(store.engine) as session, session.begin():
        session.add(row)


def _seed_face_sightings(store: Store, media: MediaStore, data_dir: Path) -> None:
    media.put("faces/gate/old.jpg", b"\xff\xd8 face crop")
    row = FaceSightingRow(  # not yet past its own expiry: only the retention limit removes it
        id="sight1", camera_id="gate", track_id=1, seen_at=_ago(DEFAULTS.face_sightings),
        frame_ts=1.0, quality=0.9, embedding=b"\0" * 512, crop_key="faces/gate/old.jpg",
        crop_sha256="0" * 64, expires_at=NOW + timedelta(days=30),
    )
    with sa.orm.Session(store.engine) as session, session.begin():
        session.add(row)


def _seed_field_positions(store: Store, media: MediaStore, data_dir: Path) -> None:
    row = PositionRow(user_id="u-dan", username="dan", unit="P-12", lat=43.24, lon=76.91,
                      accuracy_m=12.0, at=_ago(DEFAULTS.field_positions))
    with sa.orm.Session(store.engine) as session, session.begin():
        session.add(row)


def _seed_audit(store: Store, media: MediaStore, data_dir: Path) -> None:
    audit = AuditLog(store.engine, Signer.load_or_create(data_dir))
    audit.record("user.login", actor="ana")
    assert audit.checkpoint() is not None
    audit.close()
    with store.engine.begin() as conn:  # as if signed long ago
        table = AuditCheckpointRow.__table__
        conn.execute(sa.update(table).values(at=_ago(DEFAULTS.audit)))


SEEDS: dict[str, Callable[[Store, MediaStore, Path], None]] = {
    "events": _seed_events,
    "snapshots": _seed_snapshots,
    "clips": _seed_clips,
    "plate_reads": _seed_plate_reads,
    "face_sightings": _seed_face_sightings,
    "field_positions": _seed_field_positions,
    "audit": _seed_audit,
}


def _count(store: Store, table: sa.Table | sa.FromClause) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def test_every_setting_has_a_seed() -> None:
    assert sorted(SEEDS) == sorted(SETTINGS)


def test_retention_cli_purges_every_data_class(tmp_path: Path) -> None:
    store = open_store(None, tmp_path)
    media = MediaStore(tmp_path / "media")
    for seed in SEEDS.values():
        seed(store, media, tmp_path)
    store.close()
    proc = subprocess.run(
        [sys.executable, "-m", "kuzet.cli", "retention", "run", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    removed = dict(
        part.rsplit(" ", 1)
        for part in proc.stdout.split(":", 1)[1].split(";", 1)[0].strip().split(", ")
    )
    assert {name: int(removed.get(name, "0")) >= 1 for name in SETTINGS} == dict.fromkeys(
        SETTINGS, True
    ), proc.stdout
    store = open_store(None, tmp_path)
    try:
        assert store.events.get("ancient") is None
        kept = store.events.get("old-snapshot")
        assert kept is not None and kept.snapshot_key is None
        assert _count(store, PlateReadRow.__table__) == 0
        assert _count(store, FaceSightingRow.__table__) == 0
        assert _count(store, PositionRow.__table__) == 0
        left = sorted(p.relative_to(media.root).as_posix() for p in media.root.rglob("*.*"))
        assert left == [], left
        with store.engine.connect() as conn:  # the seeded record went; the run's own stay
            actions = set(conn.execute(sa.select(AuditRow.action)).scalars())
        assert "user.login" not in actions and "retention.run" in actions
    finally:
        store.close()
