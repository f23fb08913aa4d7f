"""Event spans over recorded video: an event's clip is ``start - pre_s .. end + post_s``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kuzet.config.record import RecordConfig
from kuzet.store.models import EventRow

EVENTS = cast(sa.Table, EventRow.__table__)
# The longest pre/post a config allows: bounds the event search around a segment.
MAX_PAD = timedelta(seconds=300)


@dataclass(frozen=True, slots=True)
class Span:
    """A time span of one camera's recording (UTC)."""

    camera_id: str
    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when ``[start, end]`` and this span share a moment."""
        return start < self.end and end > self.start


def event_span(
    camera_id: str, started: datetime, ended: datetime | None, cfg: RecordConfig, now: datetime
) -> Span:
    """The clip span of an event (an open event runs until ``now``).

    Example:
        >>> from datetime import UTC
        >>> t = datetime(2026, 1, 1, tzinfo=UTC)
        >>> s = event_span("gate", t, t + timedelta(seconds=10), RecordConfig(), t)
        >>> (s.end - s.start).total_seconds()
        20.0
    """
    end = now if ended is None else ended
    return Span(
        camera_id, started - timedelta(seconds=cfg.pre_s), end + timedelta(seconds=cfg.post_s)
    )


def spans_near(
    engine: Engine,
    camera_id: str,
    window: tuple[datetime, datetime],
    cfg: RecordConfig,
    held_only: bool = False,
) -> list[Span]:
    """Spans of the camera's events that may overlap ``window`` (held ones only if asked).

    Args:
        engine: The store.
        camera_id: Camera.
        window: (start, end) UTC of the segments concerned.
        cfg: The camera's recording settings (pre_s, post_s).
        held_only: Only events under legal hold.

    Returns:
        Spans, unordered.
    """
    start, end = window
    stmt = sa.select(EVENTS.c.started_at, EVENTS.c.ended_at).where(
        EVENTS.c.camera_id == camera_id,
        EVENTS.c.started_at < end + MAX_PAD,
        sa.or_(EVENTS.c.ended_at.is_(None), EVENTS.c.ended_at > start - MAX_PAD),
    )
    if held_only:
        stmt = stmt.where(EVENTS.c.legal_hold.is_(True))
    now = datetime.now(UTC)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [event_span(camera_id, r.started_at, r.ended_at, cfg, now) for r in rows]
