"""Stopped vehicle: a vehicle standing still on a carriageway zone for N seconds.

Per watched track whose bottom centre is in the carriageway zone and in none of
the excluded (parking) zones, the rule keeps where and when it stopped: the
first position of its current still spell. A position farther than ``radius``
(fraction of the frame diagonal) from there starts a new spell. After
``min_duration`` seconds in one spell the event opens (one per track, attrs
``zone``, ``stopped_s``); it closes when the vehicle moves off, leaves the zone
or its track ends::

    t:   0 ........ min_duration ........ moves
         spell starts   OPEN                 CLOSE
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

import numpy as np

from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules.stopped_vehicle import StoppedVehicleRuleConfig
from kuzet.core.geometry import points_in_mask, polygon_mask, polygons_mask
from kuzet.core.types import Event, EventKind, Observation
from kuzet.events.lifecycle import TIME_EPS, EventContent, EventPolicy, EventSpec, EventTracker
from kuzet.rules.frames import check_frame
from kuzet.rules.protocol import RuleContext, RuleKind


@dataclass(slots=True)
class _Spell:
    x: float
    y: float
    since: float


class StoppedVehicleRule:
    """Raises ``stopped_vehicle`` events; see the module docstring.

    Args:
        camera_id: Camera the rule runs on.
        cfg: The rule's settings.
        zones: The carriageway zone, then the excluded zones (relative 0-1 points).
        frame_shape: (height, width) of the analysed frames.
        tz: Time zone for ``active_hours``; None = the machine's local zone.
    """

    kind = EventKind.STOPPED_VEHICLE

    def __init__(
        self,
        camera_id: str,
        cfg: StoppedVehicleRuleConfig,
        zones: tuple[ZoneConfig, list[ZoneConfig]],
        frame_shape: Sequence[int],
        tz: tzinfo | None = None,
    ) -> None:
        self.id = cfg.id
        self.cfg = cfg
        self._shape = (int(frame_shape[0]), int(frame_shape[1]))
        road, parking = zones
        self._mask = polygon_mask(road.points, self._shape)
        if parking:
            self._mask &= ~polygons_mask([z.points for z in parking], self._shape)
        self._radius = cfg.radius * float(np.hypot(*self._shape))
        self._classes = frozenset(cfg.classes)
        self._spells: dict[int, _Spell] = {}
        self._gone: list[int] = []  # ended tracks whose events close on the next update
        policy = EventPolicy(cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz)
        self._events = EventTracker(EventSpec(camera_id, self.kind, cfg.id, cfg.severity), policy)

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation; opens and closes ``stopped_vehicle`` events.

        Raises:
            ValueError: The observation's frame size differs from the rule's.
        """
        check_frame(self.id, self._shape, obs)
        events: list[Event] = []
        for tid in self._gone:
            events.extend(self._end(tid, obs))
        self._gone.clear()
        dets = obs.detections
        if dets.track_id is None or len(dets) == 0:
            return events
        labels = dets.labels
        anchors = dets.bottom_center.astype(np.float64)
        watched = np.asarray([label in self._classes for label in labels], dtype=bool)
        inside = watched & points_in_mask(self._mask, anchors)
        for i, tid in enumerate(dets.track_id.tolist()):
            x, y = float(anchors[i, 0]), float(anchors[i, 1])
            spell = self._spells.get(tid)
            if not inside[i] or spell is None or np.hypot(x - spell.x, y - spell.y) > self._radius:
                events.extend(self._end(tid, obs))
                if inside[i]:
                    self._spells[tid] = _Spell(x, y, obs.ts)
                continue
            stopped = obs.ts - spell.since
            if stopped >= self.cfg.min_duration - TIME_EPS:
                attrs = {"zone": self.cfg.zone, "stopped_s": round(stopped, 1)}
                content = EventContent((tid,), (labels[i],), attrs)
                opened = self._events.open(tid, obs.ts, obs.wall, content)
                events.extend([opened] if opened is not None else [])
        return events

    def _end(self, tid: int, obs: Observation) -> list[Event]:
        self._spells.pop(tid, None)
        closed = self._events.close(tid, obs.ts, obs.wall)
        return [] if closed is None else [closed]

    def forget(self, track_id: int) -> None:
        """Drop the state of a track that ended; its open event closes on the next update."""
        self._spells.pop(track_id, None)
        self._gone.append(track_id)

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close every open event (camera stopping)."""
        self._spells.clear()
        self._gone.clear()
        return self._events.close_all(ts, wall)


def build(ctx: RuleContext, cfg: StoppedVehicleRuleConfig) -> StoppedVehicleRule:
    """Build a ``stopped_vehicle`` rule (``ConfigError`` naming a missing zone)."""
    road = ctx.zone(cfg.id, cfg.zone)
    parking = [ctx.zone(cfg.id, name) for name in cfg.exclude_zones]
    return StoppedVehicleRule(ctx.camera_id, cfg, (road, parking), ctx.frame_shape, ctx.tz)


RULE_KINDS = (RuleKind(StoppedVehicleRuleConfig, build),)
