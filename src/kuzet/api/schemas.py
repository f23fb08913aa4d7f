"""Response models of the HTTP API (they also document it at /docs)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from kuzet.core.types import CameraHealth
from kuzet.store.events import StoredEvent

MIN_TIME = datetime(1900, 1, 1, tzinfo=UTC)
MAX_TIME = datetime(3000, 1, 1, tzinfo=UTC)


def bounded_time(value: datetime) -> datetime:
    """``value`` in UTC (naive = UTC), refused outside 1900..3000.

    Times near ``datetime.max`` with an offset overflow when converted to UTC
    (``9999-12-31T23:59:59-14:00`` was a 500 on every ``since``/``until``).

    Raises:
        ValueError: Out of range (a 422 naming the field).
    """
    try:
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(f"time {value.isoformat()} is out of range") from error
    if not MIN_TIME <= utc < MAX_TIME:
        raise ValueError(f"time must be in 1900..2999 (UTC), got {value.isoformat()}")
    return utc


ApiTime = Annotated[datetime, AfterValidator(bounded_time)]
"""A request time: ISO 8601, naive = UTC, converted to UTC, years 1900..2999."""
AwareApiTime = Annotated[AwareDatetime, AfterValidator(bounded_time)]
"""As :data:`ApiTime`, but the offset is required."""


class HealthOut(BaseModel):
    """Liveness of the API process."""

    status: Literal["ok"] = "ok"


class CameraHealthOut(BaseModel):
    """A camera's health, with the age of its last frame computed by the server."""

    state: str
    reason: str = ""
    last_frame_wall: float | None = None
    last_frame_age_s: float | None = Field(None, description="Seconds since the last frame.")
    reconnects: int = 0
    fps_in: float = 0.0
    fps_analysed: float = 0.0
    detect_drops: int = 0
    restarts: int = 0
    recording: str = Field("", description='"" (off), "recording", "idle" or "error: <why>".')

    @classmethod
    def from_health(cls, health: CameraHealth, now: float | None = None) -> CameraHealthOut:
        """Build from the core type; ``now`` defaults to the current UNIX time."""
        now = time.time() if now is None else now
        last = health.last_frame_wall
        return cls(
            state=str(health.state),
            reason=health.reason,
            last_frame_wall=last,
            last_frame_age_s=None if last is None else round(max(0.0, now - last), 2),
            reconnects=health.reconnects,
            fps_in=round(health.fps_in, 2),
            fps_analysed=round(health.fps_analysed, 2),
            detect_drops=health.detect_drops,
            restarts=health.restarts,
            recording=health.recording,
        )


class CameraOut(BaseModel):
    """One camera: identity, frame size and health."""

    id: str
    name: str
    site: str | None = None
    width: int = 0
    height: int = 0
    live_url: str
    live_jpeg_url: str = ""
    health: CameraHealthOut | None = None


class CameraListOut(BaseModel):
    """All configured cameras, in config order."""

    items: list[CameraOut]


class EventOut(BaseModel):
    """An event's latest stored state."""

    id: str
    camera_id: str
    kind: str
    rule_id: str
    severity: str
    status: Literal["open", "closed"]
    started_at: datetime
    ended_at: datetime | None = None
    updated_at: datetime | None = None
    track_ids: list[int] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    attrs: dict[str, Any] = Field(default_factory=dict)
    snapshot_key: str | None = None
    snapshot_sha256: str | None = None
    snapshot_url: str | None = None
    frame_ts: float = 0.0

    @classmethod
    def from_stored(cls, event: StoredEvent) -> EventOut:
        """Build from a repository record."""
        return cls(
            id=event.id,
            camera_id=event.camera_id,
            kind=event.kind,
            rule_id=event.rule_id,
            severity=event.severity,
            status=event.status,
            started_at=event.started_at,
            ended_at=event.ended_at,
            updated_at=event.updated_at,
            track_ids=event.track_ids,
            labels=event.labels,
            attrs=event.attrs,
            snapshot_key=event.snapshot_key,
            snapshot_sha256=event.snapshot_sha256,
            snapshot_url=f"/api/events/{event.id}/snapshot.jpg" if event.snapshot_key else None,
            frame_ts=event.frame_ts,
        )


class EventPageOut(BaseModel):
    """A page of events, newest first; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[EventOut]
    next_cursor: str | None = None
