"""The segment index in the store: closed segments by camera and time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kuzet.record.segment import Segment
from kuzet.store.models import EventRow, SegmentRow

SEGMENTS = cast(sa.Table, SegmentRow.__table__)
EVENTS = cast(sa.Table, EventRow.__table__)
MAX_LIST = 10_000


def _segment(row: Any) -> Segment:
    return Segment(
        camera_id=row.camera_id,
        start=row.start,
        end=row.end,
        key=row.key,
        size=int(row.size),
        codec=row.codec,
        sha256=row.sha256,
        transcoded=bool(row.transcoded),
    )


class SegmentIndex:
    """Closed segments in the store (``recording_segments``).

    Args:
        engine: The store's engine (migrated to head).

    Example:
        >>> index = SegmentIndex(store.engine)  # doctest: +SKIP
        >>> index.add(segment)  # doctest: +SKIP
        >>> index.between("gate", t0, t1)  # doctest: +SKIP
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, segment: Segment) -> None:
        """Index a closed segment (idempotent: the key is the primary key)."""
        values = {
            "key": segment.key,
            "camera_id": segment.camera_id,
            "start": segment.start,
            "end": segment.end,
            "size": segment.size,
            "codec": segment.codec,
            "sha256": segment.sha256,
            "transcoded": segment.transcoded,
        }
        with self.engine.begin() as conn:
            exists = conn.execute(
                sa.select(SEGMENTS.c.key).where(SEGMENTS.c.key == segment.key)
            ).first()
            if exists is None:
                conn.execute(SEGMENTS.insert().values(**values))

    def between(
        self, camera_id: str, start: datetime, end: datetime, limit: int = MAX_LIST
    ) -> list[Segment]:
        """Segments of ``camera_id`` overlapping ``[start, end]``, oldest first."""
        stmt = (
            sa.select(SEGMENTS)
            .where(SEGMENTS.c.camera_id == camera_id)
            .where(SEGMENTS.c.end > start, SEGMENTS.c.start < end)
            .order_by(SEGMENTS.c.start)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_segment(row) for row in conn.execute(stmt)]

    def get(self, key: str) -> Segment | None:
        """The segment stored under ``key``, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(SEGMENTS).where(SEGMENTS.c.key == key)).first()
        return None if row is None else _segment(row)

    def keys(self, camera_id: str | None = None) -> set[str]:
        """Every indexed key (of one camera, or all)."""
        stmt = sa.select(SEGMENTS.c.key)
        if camera_id is not None:
            stmt = stmt.where(SEGMENTS.c.camera_id == camera_id)
        with self.engine.connect() as conn:
            return set(conn.execute(stmt).scalars())

    def oldest(
        self,
        limit: int,
        offset: int = 0,
        camera_id: str | None = None,
        before: datetime | None = None,
    ) -> list[Segment]:
        """The oldest segments (of one camera, or all; ending before ``before`` if given)."""
        stmt = sa.select(SEGMENTS).order_by(SEGMENTS.c.start, SEGMENTS.c.key)
        stmt = stmt.limit(limit).offset(offset)
        if camera_id is not None:
            stmt = stmt.where(SEGMENTS.c.camera_id == camera_id)
        if before is not None:
            stmt = stmt.where(SEGMENTS.c.end < before)
        with self.engine.connect() as conn:
            return [_segment(row) for row in conn.execute(stmt)]

    def cameras(self) -> set[str]:
        """Cameras with indexed segments."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(SEGMENTS.c.camera_id).distinct()).scalars())

    def total_size(self) -> int:
        """Bytes of every indexed segment."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.sum(SEGMENTS.c.size))).scalar() or 0)

    def remove(self, keys: Sequence[str]) -> int:
        """Drop index rows (the files are deleted by the caller); rows removed."""
        if not keys:
            return 0
        with self.engine.begin() as conn:
            return int(conn.execute(SEGMENTS.delete().where(SEGMENTS.c.key.in_(keys))).rowcount)
