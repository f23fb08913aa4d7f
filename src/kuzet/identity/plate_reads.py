"""Stored plate reads and hits: writing, searching, and purging after retention.

Crops are media files under ``plates/<camera>/<YYYY>/<MM>/<DD>/<read>.jpg``.
Reads older than ``retention.plate_reads`` days are deleted with their crops,
except reads whose hit raised an event that is on legal hold.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from kuzet.core.sightings import PlateRead
from kuzet.enrich.plate.formats import to_local
from kuzet.identity.plate_match import WILDCARDS, normalise_plate
from kuzet.store.media import Media
from kuzet.store.models import EventRow, HotlistEntryRow, HotlistRow, PlateHitRow, PlateReadRow

log = logging.getLogger(__name__)

MAX_LIMIT = 500
BATCH = 500
READ_FIELDS = (
    "id", "camera_id", "frame_ts", "text", "confidence", "country", "crop_key",
    "vehicle_class", "track_id", "final", "plate_format", "looks",
)  # fmt: skip


def crop_key(camera_id: str, at: datetime, read_id: str) -> str:
    """Media key of a read's crop: ``plates/<camera>/<YYYY>/<MM>/<DD>/<read>.jpg``."""
    return f"plates/{camera_id}/{at:%Y/%m/%d}/{read_id}.jpg"


def read_json(row: PlateReadRow) -> dict[str, Any]:
    """A read row as JSON."""
    out = {name: getattr(row, name) for name in READ_FIELDS}
    out["at"] = row.at.isoformat()
    out["text_local"] = to_local(row.text, row.country)  # Cyrillic for RU and UA plates
    return out


def plate_like(query: str) -> str:
    """SQL LIKE pattern of a plate query: wildcards anchor it, plain text is a substring.

    Example:
        >>> plate_like("123*01"), plate_like("abc")
        ('123%01', '%ABC%')
    """
    text = normalise_plate(query, keep_wildcards=True)
    if any(c in WILDCARDS for c in text):
        return text.replace("*", "%").replace("?", "_")
    return f"%{text}%"


@dataclass
class ReadQuery:
    """Filters of a plate read search; ``cameras`` None = every camera, [] = none."""

    plate: str | None = None
    cameras: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


class PlateReadRepo:
    """Plate reads and hits in the store; crops in the media store."""

    def __init__(self, engine: Engine, media: Media) -> None:
        self.engine = engine
        self.media = media
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    def add(self, read: PlateRead, read_id: str | None = None) -> PlateReadRow:
        """Store one read and its crop (if any); returns the stored row.

        A read with a ``decision_id`` is stored under that id: the track's final
        read replaces its early read (text, confidence, format, looks, crop), so
        the store holds one read per track, its track-level decision.

        Args:
            read: The read.
            read_id: Its id (the outbox key, so a replayed read is stored once);
                None = a new id. A read already stored under ``read_id`` is returned.
        """
        read_id = read.decision_id or read_id
        stored = self.get(read_id) if read_id is not None else None
        if stored is not None and not (read.final and not stored.final):
            return stored
        read_id = read_id or uuid.uuid4().hex
        at = datetime.fromtimestamp(read.wall, UTC)
        if stored is not None and self.hit_event_ids(read_id):
            key = stored.crop_key  # the evidence of a hit: kept as it was hashed
        else:
            key = self._put_crop(read, at, read_id + ("-final" if stored is not None else ""))
            if stored is not None and stored.crop_key:
                self.media.delete(stored.crop_key)
        row = PlateReadRow(
            id=read_id, camera_id=read.camera_id, at=at, frame_ts=read.ts,
            text=normalise_plate(read.text), confidence=read.confidence, country=read.country,
            crop_key=key, vehicle_class=read.vehicle_class, track_id=read.track_id,
            final=read.final, plate_format=read.plate_format, looks=read.looks,
        )  # fmt: skip
        with self.sessions.begin() as session:
            session.merge(row)
        return row

    def _put_crop(self, read: PlateRead, at: datetime, name: str) -> str | None:
        if not read.crop_jpeg:
            return None
        key = crop_key(read.camera_id, at, name)
        try:
            self.media.put(key, read.crop_jpeg)
        except OSError as error:  # disk full or media paused: the read counts more
            log.warning("plate crop of %s not stored: %s", name, error)
            return None
        return key

    def has_hit(self, read_id: str, entry_id: str) -> bool:
        """Whether ``read_id`` already hit ``entry_id`` (a track's decision hits once)."""
        stmt = sa.select(PlateHitRow.id).where(
            PlateHitRow.read_id == read_id, PlateHitRow.entry_id == entry_id
        )
        with self.sessions() as session:
            return session.scalars(stmt.limit(1)).first() is not None

    def add_hit(self, read_id: str, entry_id: str, distance: float, event_id: str) -> None:
        """Record that ``read_id`` hit ``entry_id`` and raised ``event_id``."""
        row = PlateHitRow(
            id=uuid.uuid4().hex, read_id=read_id, entry_id=entry_id, distance=distance,
            event_id=event_id, at=datetime.now(UTC),
        )  # fmt: skip
        with self.sessions.begin() as session:
            session.add(row)

    def get(self, read_id: str) -> PlateReadRow | None:
        """One read, or None."""
        with self.sessions() as session:
            return session.get(PlateReadRow, read_id)

    def hit_event_ids(self, read_id: str) -> list[str]:
        """Ids of the events raised by hits of one read."""
        stmt = sa.select(PlateHitRow.event_id).where(PlateHitRow.read_id == read_id)
        with self.sessions() as session:
            return list(session.scalars(stmt))

    def search(self, query: ReadQuery) -> list[dict[str, Any]]:
        """Reads matching ``query``, newest first."""
        if query.cameras == []:
            return []
        stmt = sa.select(PlateReadRow).order_by(PlateReadRow.at.desc(), PlateReadRow.id)
        if query.plate:
            stmt = stmt.where(PlateReadRow.text.like(plate_like(query.plate)))
        if query.cameras is not None:
            stmt = stmt.where(PlateReadRow.camera_id.in_(query.cameras))
        if query.since is not None:
            stmt = stmt.where(PlateReadRow.at >= query.since)
        if query.until is not None:
            stmt = stmt.where(PlateReadRow.at < query.until)
        with self.sessions() as session:
            rows = session.scalars(stmt.limit(min(max(query.limit, 1), MAX_LIMIT)))
            return [read_json(r) for r in rows]

    def hits(self, cameras: list[str] | None, limit: int = 100) -> list[dict[str, Any]]:
        """Hits of ``cameras`` (None = all), newest first, with read, entry and hotlist."""
        if cameras == []:
            return []
        stmt = (
            sa.select(PlateHitRow, PlateReadRow, HotlistEntryRow, HotlistRow)
            .join(PlateReadRow, PlateReadRow.id == PlateHitRow.read_id)
            .join(HotlistEntryRow, HotlistEntryRow.id == PlateHitRow.entry_id)
            .join(HotlistRow, HotlistRow.id == HotlistEntryRow.hotlist_id)
            .order_by(PlateHitRow.at.desc())
            .limit(min(max(limit, 1), MAX_LIMIT))
        )
        if cameras is not None:
            stmt = stmt.where(PlateReadRow.camera_id.in_(cameras))
        with self.sessions() as session:
            return [
                {
                    "id": hit.id, "event_id": hit.event_id, "distance": hit.distance,
                    "at": hit.at.isoformat(), "read": read_json(read), "entry_id": entry.id,
                    "entry_plate": entry.plate, "hotlist": hotlist.name,
                    "reason": entry.reason, "priority": entry.priority,
                }  # fmt: skip
                for hit, read, entry, hotlist in session.execute(stmt)
            ]


def _held_reads() -> sa.Select[Any]:
    return (
        sa.select(PlateHitRow.read_id)
        .join(EventRow, EventRow.id == PlateHitRow.event_id)
        .where(EventRow.legal_hold.is_(True))
    )


def purge_plate_reads(engine: Engine, media: Media, cutoff: datetime, dry_run: bool) -> int:
    """Delete reads older than ``cutoff`` with their crops and hits (held ones stay).

    Args:
        engine: Store engine.
        media: Media store holding the crops.
        cutoff: Reads taken before this time are removed.
        dry_run: Only count.

    Returns:
        Reads removed (or that would be).
    """
    expired = sa.and_(PlateReadRow.at < cutoff, PlateReadRow.id.not_in(_held_reads()))
    if dry_run:
        with engine.connect() as conn:
            count = sa.select(sa.func.count()).select_from(PlateReadRow).where(expired)
            return int(conn.execute(count).scalar() or 0)
    removed = 0
    while True:
        with engine.connect() as conn:
            stmt = sa.select(PlateReadRow.id, PlateReadRow.crop_key).where(expired).limit(BATCH)
            rows = list(conn.execute(stmt))
        if not rows:
            return removed
        for row in rows:
            if row.crop_key is not None:
                media.delete(row.crop_key)
        ids = [row.id for row in rows]
        with engine.begin() as conn:
            conn.execute(sa.delete(PlateHitRow).where(PlateHitRow.read_id.in_(ids)))
            result = conn.execute(sa.delete(PlateReadRow).where(PlateReadRow.id.in_(ids)))
            removed += result.rowcount


@dataclass(frozen=True)
class PlateReadPurger:
    """The ``plate_reads`` purger (a :class:`kuzet.privacy.retention.Purger`)."""

    engine: Engine
    media: Media
    data_class: str = field(default="plate_reads", init=False)

    def purge(self, cutoff: datetime, *, dry_run: bool) -> int:
        """:func:`purge_plate_reads` on this store."""
        return purge_plate_reads(self.engine, self.media, cutoff, dry_run)
