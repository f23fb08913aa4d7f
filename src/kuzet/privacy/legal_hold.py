"""Legal hold on events: a held event and its media are never purged by retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kuzet.store.models import EventRow

EVENTS = cast(sa.Table, EventRow.__table__)


@dataclass(frozen=True, slots=True)
class HoldState:
    """An event's hold: on or off, and who set it, when and why."""

    event_id: str
    camera_id: str
    held: bool
    reason: str | None
    by: str | None
    at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "event_id": self.event_id,
            "camera_id": self.camera_id,
            "legal_hold": self.held,
            "hold_reason": self.reason,
            "hold_by": self.by,
            "hold_at": None if self.at is None else self.at.isoformat(),
        }


def get_hold(engine: Engine, event_id: str) -> HoldState | None:
    """The hold state of an event, or None if there is no such event."""
    cols = (EVENTS.c.id, EVENTS.c.camera_id, EVENTS.c.legal_hold, EVENTS.c.hold_reason)
    stmt = sa.select(*cols, EVENTS.c.hold_by, EVENTS.c.hold_at).where(EVENTS.c.id == event_id)
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    return HoldState(
        row.id, row.camera_id, bool(row.legal_hold), row.hold_reason, row.hold_by, row.hold_at
    )


def set_hold(
    engine: Engine, event_id: str, *, held: bool, by: str, reason: str
) -> HoldState | None:
    """Put an event on hold (``held``) or release it; None if there is no such event.

    Args:
        engine: The store's engine.
        event_id: Event id.
        held: True to hold, False to release.
        by: Who does it.
        reason: Why (required, also for a release).

    Raises:
        ValueError: If ``reason`` is blank.
    """
    if not reason.strip():
        raise ValueError("a reason is required")
    values: dict[str, Any] = {
        "legal_hold": held,
        "hold_reason": reason.strip(),
        "hold_by": by,
        "hold_at": datetime.now(UTC),
    }
    with engine.begin() as conn:
        result = conn.execute(EVENTS.update().where(EVENTS.c.id == event_id).values(**values))
    return None if result.rowcount == 0 else get_hold(engine, event_id)
