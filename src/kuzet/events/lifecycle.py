"""Event lifecycle shared by rules: open, throttled updates, close, cooldown.

A rule decides *whether* a situation holds; ``EventTracker`` turns that into the
event stream operators see::

    situation starts ─► OPEN (new id, started_at)
    something material changes ─► UPDATE  (at most one per ``update_interval`` s)
    situation over ─► CLOSE (ended_at) ─► cooldown: no OPEN for ``cooldown`` s

Durations come from frame timestamps (``ts``, seconds); ``started_at`` and
``ended_at`` come from the frame's wall clock, as UTC datetimes. Each rule may
run several independent situations at once, told apart by a hashable key.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from kuzet.core.types import Event, EventKind, EventPhase, Severity, new_event_id

# Timestamps are floats (0.1 + 0.2 != 0.3): durations compare with this slack so
# a 3 s threshold is met at the frame 3 s later, not one frame after.
TIME_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class EventSpec:
    """The fixed parts of every event one rule emits."""

    camera_id: str
    kind: EventKind
    rule_id: str
    severity: Severity = Severity.ALERT


@dataclass(frozen=True, slots=True)
class EventContent:
    """What a rule currently sees: the objects involved and rule-specific facts.

    Attributes:
        track_ids: Ids of the tracks involved.
        labels: Class names aligned with ``track_ids``.
        attrs: Rule-specific facts (e.g. ``zone``, ``count``, ``dwell_s``).
    """

    track_ids: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EventPolicy:
    """How an ``EventTracker`` paces events.

    Attributes:
        cooldown: Seconds (frame time) after a close before the same key may open.
        update_interval: Least seconds between two UPDATEs of one event.
        material_attrs: Attr names whose change is worth an UPDATE (a change of
            the set of track ids always is).
        active_hours: ``(start, end)`` local hours in which events may open;
            None = always. Events already open run on to their natural close.
        tz: Time zone for ``active_hours``; None = the machine's local zone.
    """

    cooldown: float = 0.0
    update_interval: float = 2.0
    material_attrs: tuple[str, ...] = ("count",)
    active_hours: tuple[int, int] | None = None
    tz: tzinfo | None = None


@dataclass(slots=True)
class _Incident:
    event: Event  # the last emitted version
    last_emit_ts: float


def in_active_hours(hours: tuple[int, int] | None, wall: float, tz: tzinfo | None = None) -> bool:
    """Whether the wall-clock time falls in ``[start, end)`` local hours.

    ``start > end`` wraps midnight (``(22, 6)`` is 22:00-05:59); ``start == end``
    or ``None`` means always.

    Args:
        hours: ``(start, end)`` hours 0-24, or None.
        wall: UNIX time.
        tz: Time zone of the hours; None = the machine's local zone.

    Example:
        >>> in_active_hours((22, 6), datetime(2024, 1, 1, 23, tzinfo=UTC).timestamp(), UTC)
        True
    """
    if hours is None or hours[0] == hours[1]:
        return True
    start, end = hours
    when = datetime.fromtimestamp(wall, UTC).astimezone(tz)
    hour = when.hour
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


class EventTracker:
    """Open / update / close bookkeeping with update throttling and cooldown.

    Args:
        spec: Camera, kind, rule id and severity of the events.
        policy: Cooldown, update throttle, what is material, active hours.

    Example:
        >>> spec = EventSpec("cam", EventKind.ZONE_PRESENCE, "r1")
        >>> events = EventTracker(spec, EventPolicy(cooldown=10))
        >>> opened = events.open("zone", 1.0, 1.7e9, EventContent((3,), ("person",)))
        >>> opened.phase, events.open("zone", 2.0, 1.7e9 + 1, EventContent((3,), ("person",)))
        (<EventPhase.OPEN: 'open'>, None)
    """

    def __init__(self, spec: EventSpec, policy: EventPolicy | None = None) -> None:
        self.spec = spec
        self.policy = policy or EventPolicy()
        self._open: dict[Hashable, _Incident] = {}
        self._closed_at: dict[Hashable, float] = {}

    def is_open(self, key: Hashable = None) -> bool:
        """Whether an event is open for ``key``."""
        return key in self._open

    def in_cooldown(self, key: Hashable, ts: float) -> bool:
        """Whether ``key`` closed less than ``cooldown`` seconds before ``ts``."""
        closed = self._closed_at.get(key)
        return closed is not None and ts - closed < self.policy.cooldown - TIME_EPS

    def may_open(self, key: Hashable, ts: float, wall: float) -> bool:
        """Whether a new event for ``key`` may open now (not open, cooled, in hours)."""
        return (
            key not in self._open
            and not self.in_cooldown(key, ts)
            and in_active_hours(self.policy.active_hours, wall, self.policy.tz)
        )

    def open(self, key: Hashable, ts: float, wall: float, content: EventContent) -> Event | None:
        """Open an event for ``key``, or update the one already open.

        Args:
            key: Which situation of the rule (e.g. a zone name).
            ts: Frame timestamp in seconds.
            wall: Frame wall-clock UNIX time (becomes ``started_at``).
            content: Objects and facts of the situation.

        Returns:
            The OPEN event; an UPDATE (or None) when already open; None when the
            key is cooling down or outside active hours.
        """
        if key in self._open:
            return self.update(key, ts, wall, content)
        if not self.may_open(key, ts, wall):
            return None
        self._closed_at.pop(key, None)
        event = Event(
            id=new_event_id(),
            camera_id=self.spec.camera_id,
            kind=self.spec.kind,
            rule_id=self.spec.rule_id,
            phase=EventPhase.OPEN,
            started_at=datetime.fromtimestamp(wall, UTC),
            severity=self.spec.severity,
            track_ids=content.track_ids,
            labels=content.labels,
            attrs=dict(content.attrs),
            frame_ts=ts,
            frame_wall=wall,
        )
        self._open[key] = _Incident(event, ts)
        return event

    def update(self, key: Hashable, ts: float, wall: float, content: EventContent) -> Event | None:
        """An UPDATE when the content changed materially and the throttle allows.

        A throttled change is not lost: it is compared again on the next call.

        Returns:
            The UPDATE event, or None (nothing open, no material change, or too soon).
        """
        incident = self._open.get(key)
        if incident is None or not self._material(incident.event, content):
            return None
        if ts - incident.last_emit_ts < self.policy.update_interval - TIME_EPS:
            return None
        return self._emit(incident, EventPhase.UPDATE, (ts, wall), content)

    def close(
        self,
        key: Hashable,
        ts: float,
        wall: float,
        content: EventContent | None = None,
        ended_wall: float | None = None,
    ) -> Event | None:
        """Close the event of ``key`` (None when none is open); starts the cooldown.

        Args:
            key: Which situation.
            ts: Frame timestamp in seconds (the cooldown starts here).
            wall: Frame wall-clock UNIX time of the closing frame.
            content: Final content; None keeps the last emitted one.
            ended_wall: When the situation really ended (e.g. the last frame it
                held, before a grace period); None = ``wall``. Becomes ``ended_at``.
        """
        incident = self._open.pop(key, None)
        if incident is None:
            return None
        self._closed_at[key] = ts
        last = incident.event
        final = content or EventContent(last.track_ids, last.labels, last.attrs)
        ended = datetime.fromtimestamp(wall if ended_wall is None else ended_wall, UTC)
        event = self._emit(incident, EventPhase.CLOSE, (ts, wall), final)
        return replace(event, ended_at=ended)

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close every open event (e.g. on shutdown)."""
        return [e for key in list(self._open) if (e := self.close(key, ts, wall)) is not None]

    def _material(self, last: Event, content: EventContent) -> bool:
        if set(last.track_ids) != set(content.track_ids):
            return True
        return any(last.attrs.get(k) != content.attrs.get(k) for k in self.policy.material_attrs)

    def _emit(
        self,
        incident: _Incident,
        phase: EventPhase,
        at: tuple[float, float],
        content: EventContent,
    ) -> Event:
        ts, wall = at
        event = replace(
            incident.event,
            phase=phase,
            track_ids=content.track_ids,
            labels=content.labels,
            attrs=dict(content.attrs),
            frame_ts=ts,
            frame_wall=wall,
        )
        incident.event = event
        incident.last_emit_ts = ts
        return event
