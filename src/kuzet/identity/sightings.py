"""Retained face sightings (only with ``identity.retain_unmatched``) and their search.

Nothing here runs unless a deployment turns retention on. Each row keeps its own
``expires_at`` (``identity.retain_days`` after it was seen); :class:`SightingPurger`
(run by the retention job) removes rows past that date or older than
``retention.face_sightings``, with their crops.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import cast

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.core.sightings import FaceProbe
from kuzet.identity.models import FaceSightingRow, embedding_array, embedding_bytes
from kuzet.identity.watchlists import new_id
from kuzet.store.media import Media


@dataclass(frozen=True, slots=True)
class SightingHit:
    """A retained sighting near a search photo (distance: Euclidean, lower = closer)."""

    sighting: FaceSightingRow
    distance: float


def sighting_key(camera_id: str, seen: datetime, sighting_id: str) -> str:
    """Media key of a sighting's crop."""
    return f"faces/{camera_id}/{seen:%Y/%m/%d}/{sighting_id}.jpg"


class SightingRepo:
    """Stores and searches retained face sightings."""

    def __init__(self, engine: Engine, media: Media) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.media = media

    def add(self, probe: FaceProbe, retain_days: int,
            sighting_id: str | None = None) -> FaceSightingRow:
        """Keep one probe (crop in the media store, embedding in the row).

        Args:
            probe: The probe.
            retain_days: Days it is kept.
            sighting_id: Its id (the outbox key); a sighting already stored under
                it is returned as it is (a replayed probe is stored once).
        """
        seen = datetime.fromtimestamp(probe.wall, UTC)
        if sighting_id is not None:
            with self._sessions() as session:
                if (stored := session.get(FaceSightingRow, sighting_id)) is not None:
                    return stored
        sighting_id = sighting_id or new_id()
        key = sighting_key(probe.camera_id, seen, sighting_id)
        digest = self.media.put(key, probe.crop_jpeg)
        row = FaceSightingRow(
            id=sighting_id, camera_id=probe.camera_id, track_id=int(probe.track_id),
            seen_at=seen, frame_ts=float(probe.ts), quality=float(probe.quality),
            embedding=embedding_bytes(probe.embedding), crop_key=key, crop_sha256=digest,
            expires_at=seen + timedelta(days=retain_days),
        )
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def get(self, sighting_id: str) -> FaceSightingRow | None:
        """One sighting, or None (also once it is purged)."""
        with self._sessions() as session:
            return session.get(FaceSightingRow, sighting_id)

    def count(self) -> int:
        """How many sightings are retained."""
        with self._sessions() as session:
            return int(session.scalar(sa.select(sa.func.count()).select_from(FaceSightingRow))
                       or 0)

    def search(self, embedding: npt.ArrayLike, threshold: float, cameras: Sequence[str] | None,
               limit: int = 50) -> list[SightingHit]:
        """Sightings within ``threshold`` of ``embedding``, closest first (exact search)."""
        query = np.asarray(embedding, np.float32).reshape(-1)
        stmt = sa.select(FaceSightingRow).where(FaceSightingRow.expires_at > datetime.now(UTC))
        if cameras is not None:
            stmt = stmt.where(FaceSightingRow.camera_id.in_(list(cameras)))
        with self._sessions() as session:
            rows = list(session.scalars(stmt))
        if not rows:
            return []
        matrix = np.stack([embedding_array(r.embedding) for r in rows])
        distances = np.linalg.norm(matrix - query, axis=1)
        order = np.argsort(distances, kind="stable")
        return [SightingHit(rows[i], float(distances[i])) for i in order
                if distances[i] <= threshold][:limit]


@dataclass(frozen=True)
class SightingPurger:
    """The ``face_sightings`` purger (a :class:`kuzet.privacy.retention.Purger`)."""

    engine: Engine
    media: Media
    data_class: str = field(default="face_sightings", init=False)

    def purge(self, cutoff: datetime, *, dry_run: bool) -> int:
        """Remove sightings seen before ``cutoff`` or past their own expiry, with their crops."""
        now = datetime.now(UTC)
        table = cast(sa.Table, FaceSightingRow.__table__)
        where = sa.or_(table.c.seen_at < cutoff, table.c.expires_at <= now)
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(table.c.id, table.c.crop_key).where(where)).all()
            if dry_run:
                return len(rows)
            conn.execute(sa.delete(table).where(table.c.id.in_([r.id for r in rows])))
        for row in rows:
            if row.crop_key:
                self.media.delete(row.crop_key)
        return len(rows)


def photo_sha256(data: bytes) -> str:
    """Hex SHA-256 of an uploaded search photo (what the audit trail records)."""
    return hashlib.sha256(data).hexdigest()
