"""Zone presence: objects of given classes inside a zone for long enough.

Each tracked object's bottom-centre (its feet, or a vehicle's ground contact) is
tested against the zone polygon, rasterised once at the frame size::

    +---------------------------+
    |     zone                  |
    |   +----+                  |
    |   |obj |                  |
    |   +-●--+   ● = anchor     |
    +---------------------------+

An object qualifies once it has been inside for ``min_duration`` seconds
(frame time). With at least ``min_objects`` qualifying at once an event opens;
it updates when the qualifying set changes and closes after ``close_after``
seconds with too few.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import numpy as np

from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules.zone_presence import ZonePresenceRuleConfig
from kuzet.core.geometry import points_in_mask, polygon_mask
from kuzet.core.types import Event, EventKind, Observation
from kuzet.events.lifecycle import TIME_EPS, EventContent, EventPolicy, EventSpec, EventTracker
from kuzet.rules.frames import check_frame
from kuzet.rules.protocol import RuleContext, RuleKind

_KEY = "zone"  # one situation per rule: the zone is occupied


class ZonePresenceRule:
    """Raises ``zone_presence`` events; see the module docstring.

    Args:
        camera_id: Camera the rule runs on.
        cfg: The rule's settings (``cfg.zone`` names ``zone``).
        zone: The zone polygon, relative 0-1 points.
        frame_shape: (height, width) of the analysed frames.
        tz: Time zone for ``active_hours``; None = the machine's local zone.

    Example:
        >>> from kuzet.config.geometry import ZoneConfig
        >>> from kuzet.config.rules.zone_presence import ZonePresenceRuleConfig
        >>> cfg = ZonePresenceRuleConfig(id="door", zone="door")
        >>> zone = ZoneConfig(points=[(0, 0), (0.5, 0), (0.5, 1), (0, 1)])
        >>> rule = ZonePresenceRule("cam1", cfg, zone, (480, 640))
        >>> rule.kind
        <EventKind.ZONE_PRESENCE: 'zone_presence'>
    """

    kind = EventKind.ZONE_PRESENCE

    def __init__(
        self,
        camera_id: str,
        cfg: ZonePresenceRuleConfig,
        zone: ZoneConfig,
        frame_shape: Sequence[int],
        tz: tzinfo | None = None,
    ) -> None:
        self.id = cfg.id
        self.cfg = cfg
        self._shape = (int(frame_shape[0]), int(frame_shape[1]))
        self._mask = polygon_mask(zone.points, self._shape)
        self._classes = frozenset(cfg.classes)
        self._entered: dict[int, float] = {}  # track id -> ts it entered the zone
        self._labels: dict[int, str] = {}  # track id -> latest class name
        # While an event is open: ts and wall time since too few objects qualify.
        self._short_since: float | None = None
        self._short_wall = 0.0
        policy = EventPolicy(
            cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz, material_attrs=("count",)
        )
        self._events = EventTracker(EventSpec(camera_id, self.kind, cfg.id, cfg.severity), policy)

    def update(self, obs: Observation) -> list[Event]:
        """Advance the rule by one observation.

        Args:
            obs: Tracked detections of one frame of this rule's camera.

        Returns:
            Zero or one event (OPEN, UPDATE or CLOSE).

        Raises:
            ValueError: The observation's frame size differs from the rule's.
        """
        check_frame(self.id, self._shape, obs)
        qualified = self._qualified(obs)
        event = self._step(obs, qualified)
        return [] if event is None else [event]

    def forget(self, track_id: int) -> None:
        """Drop the state of a track that ended."""
        self._entered.pop(track_id, None)
        self._labels.pop(track_id, None)

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close the open event, if any (camera stopping)."""
        self._short_since = None
        return self._events.close_all(ts, wall)

    def _qualified(self, obs: Observation) -> list[int]:
        # Refresh entry times; return ids inside for at least min_duration s.
        dets = obs.detections
        if dets.track_id is None or len(dets) == 0:
            return []
        labels = dets.labels
        watched = np.asarray([label in self._classes for label in labels], dtype=bool)
        inside = watched & points_in_mask(self._mask, dets.bottom_center)
        for i, tid in enumerate(dets.track_id.tolist()):
            if inside[i]:
                self._entered.setdefault(tid, obs.ts)
                self._labels[tid] = labels[i]
            else:
                # Seen outside the zone (or no longer of a watched class): its
                # dwell restarts. Tracks absent from this frame keep theirs.
                self.forget(tid)
        present = [int(t) for t, ok in zip(dets.track_id.tolist(), inside, strict=True) if ok]
        min_duration = self.cfg.min_duration - TIME_EPS
        return sorted(t for t in present if obs.ts - self._entered[t] >= min_duration)

    def _step(self, obs: Observation, qualified: list[int]) -> Event | None:
        if len(qualified) >= self.cfg.min_objects:
            self._short_since = None
            return self._events.open(_KEY, obs.ts, obs.wall, self._content(obs.ts, qualified))
        if not self._events.is_open(_KEY):
            return None
        if self._short_since is None:
            self._short_since, self._short_wall = obs.ts, obs.wall
        if obs.ts - self._short_since < self.cfg.close_after - TIME_EPS:
            return None
        self._short_since = None
        return self._events.close(_KEY, obs.ts, obs.wall, ended_wall=self._short_wall)

    def _content(self, ts: float, qualified: list[int]) -> EventContent:
        dwell = max(ts - self._entered[t] for t in qualified)
        return EventContent(
            track_ids=tuple(qualified),
            labels=tuple(self._labels[t] for t in qualified),
            attrs={"zone": self.cfg.zone, "count": len(qualified), "dwell_s": round(dwell, 2)},
        )


def build(ctx: RuleContext, cfg: ZonePresenceRuleConfig) -> ZonePresenceRule:
    """Build a ``zone_presence`` rule (``ConfigError`` when its zone is missing)."""
    zone = ctx.zone(cfg.id, cfg.zone)
    return ZonePresenceRule(ctx.camera_id, cfg, zone, ctx.frame_shape, ctx.tz)


RULE_KINDS = (RuleKind(ZonePresenceRuleConfig, build),)
