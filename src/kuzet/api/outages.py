"""Camera outage history, read from the stored camera-health events.

A camera that stops delivering frames raises a ``camera_tamper`` event with
``attrs.tamper = "signal_loss"`` (``runtime/signal_loss.py``); it closes when
frames come back. Those events are the outage history: no second record is
kept. Other tamper kinds (covered, moved, blurred) are listed too, labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kuzet.core.types import EventKind
from kuzet.store.events import MAX_LIMIT, EventQuery, EventRepo, StoredEvent

HISTORY_DAYS = 7


@dataclass(frozen=True, slots=True)
class Outage:
    """One camera-health event: when the camera was lost (or tampered with) and for how long.

    Attributes:
        event_id: The ``camera_tamper`` event.
        camera_id: The camera.
        kind: ``signal_loss`` or another tamper kind.
        started_at: When it began (UTC).
        ended_at: When it ended (UTC); None while it lasts.
        duration_s: Seconds it lasted (up to ``now`` while it lasts).
    """

    event_id: str
    camera_id: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: float

    @property
    def ongoing(self) -> bool:
        """Whether the outage is still going on."""
        return self.ended_at is None


def _outage(event: StoredEvent, now: datetime) -> Outage:
    end = event.ended_at if event.status == "closed" else None
    span = ((end or now) - event.started_at).total_seconds()
    kind = str(event.attrs.get("tamper") or "tamper")
    return Outage(event.id, event.camera_id, kind, event.started_at, end, max(span, 0.0))


def outage_history(
    events: EventRepo, cameras: Sequence[str], now: datetime | None = None,
    days: int = HISTORY_DAYS,
) -> list[Outage]:
    """Camera-health events of ``cameras`` that started in the last ``days`` days, newest first.

    Args:
        events: The event store.
        cameras: Camera ids to include (the caller's scope); empty = none.
        now: The current time (UTC); default the clock.
        days: How far back.

    Returns:
        At most ``MAX_LIMIT`` outages.
    """
    if not cameras:
        return []
    now = now or datetime.now(UTC)
    query = EventQuery(cameras=list(cameras), kinds=[EventKind.CAMERA_TAMPER],
                       since=now - timedelta(days=days), limit=MAX_LIMIT)
    return [_outage(e, now) for e in events.list(query).items]


def outage_totals(outages: Sequence[Outage]) -> dict[str, tuple[int, float]]:
    """Per camera: how many outages and their total seconds.

    Example:
        >>> t0 = datetime(2026, 1, 1, tzinfo=UTC)
        >>> o = Outage("e1", "gate", "signal_loss", t0, t0 + timedelta(seconds=90), 90.0)
        >>> outage_totals([o, o])
        {'gate': (2, 180.0)}
    """
    totals: dict[str, tuple[int, float]] = {}
    for outage in outages:
        count, seconds = totals.get(outage.camera_id, (0, 0.0))
        totals[outage.camera_id] = (count + 1, seconds + outage.duration_s)
    return totals
