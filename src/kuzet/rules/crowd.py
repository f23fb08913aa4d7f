"""Crowd: at least ``min_count`` objects in a zone (or the frame) for a while.

Objects are counted by their bottom-centre anchor inside the zone polygon
(rasterised once); with no zone every detection of a watched class counts.
The count must stay at or above ``min_count`` for ``min_duration`` seconds
before the event opens; it updates as the count changes (attrs ``count`` and
``max_count``) and closes after ``close_after`` seconds below ``min_count``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import numpy as np

from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules.crowd import CrowdRuleConfig
from kuzet.core.geometry import points_in_mask, polygon_mask
from kuzet.core.types import Event, EventKind, Observation
from kuzet.events.lifecycle import EventContent, EventPolicy, EventSpec, EventTracker
from kuzet.rules.protocol import RuleContext, RuleKind
from kuzet.rules.sustain import Step, Sustained

_KEY = "crowd"


class ZoneCounter:
    """Counts watched objects whose anchor is inside a zone (or anywhere).

    Args:
        zone: Polygon in relative points, or None for the whole frame.
        classes: Class names counted.
        frame_shape: (height, width) of the analysed frames.
    """

    def __init__(
        self, zone: ZoneConfig | None, classes: Sequence[str], frame_shape: Sequence[int]
    ) -> None:
        self.shape = (int(frame_shape[0]), int(frame_shape[1]))
        self._mask = None if zone is None else polygon_mask(zone.points, self.shape)
        self._classes = frozenset(classes)

    def inside(self, obs: Observation) -> list[int]:
        """Row indices of watched objects inside the zone.

        Raises:
            ValueError: The observation's frame size differs from the counter's.
        """
        if tuple(obs.frame_shape[:2]) != self.shape:
            raise ValueError(f"built for frame {self.shape}, got {obs.frame_shape}")
        dets = obs.detections
        if len(dets) == 0:
            return []
        ok = np.asarray([label in self._classes for label in dets.labels], dtype=bool)
        if self._mask is not None:
            ok &= points_in_mask(self._mask, dets.bottom_center)
        return [int(i) for i in np.flatnonzero(ok)]


class CrowdRule:
    """Raises ``crowd`` events; see the module docstring.

    Args:
        camera_id: Camera the rule runs on.
        cfg: The rule's settings.
        zone: The zone named by ``cfg.zone``, or None for the whole frame.
        frame_shape: (height, width) of the analysed frames.
        tz: Time zone for ``active_hours``; None = the machine's local zone.

    Example:
        >>> from kuzet.config.rules.crowd import CrowdRuleConfig
        >>> rule = CrowdRule("cam1", CrowdRuleConfig(id="c", min_count=5), None, (480, 640))
        >>> rule.kind
        <EventKind.CROWD: 'crowd'>
    """

    kind = EventKind.CROWD

    def __init__(
        self,
        camera_id: str,
        cfg: CrowdRuleConfig,
        zone: ZoneConfig | None,
        frame_shape: Sequence[int],
        tz: tzinfo | None = None,
    ) -> None:
        self.id = cfg.id
        self.cfg = cfg
        self._counter = ZoneCounter(zone, cfg.classes, frame_shape)
        self._sustained = Sustained(cfg.min_duration, cfg.close_after)
        self._max = 0
        policy = EventPolicy(
            cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz, material_attrs=("count",)
        )
        self._events = EventTracker(EventSpec(camera_id, self.kind, cfg.id, cfg.severity), policy)

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation; returns zero or one event."""
        rows = self._counter.inside(obs)
        count = len(rows)
        step = self._sustained.step(obs.ts, obs.wall, count >= self.cfg.min_count)
        if step is Step.END:
            self._max = 0
            closed = self._events.close(
                _KEY, obs.ts, obs.wall, ended_wall=self._sustained.since_wall
            )
            return [] if closed is None else [closed]
        if step is not Step.HOLD:
            return []
        self._max = max(self._max, count)
        dets = obs.detections[rows]
        ids = () if dets.track_id is None else tuple(int(t) for t in dets.track_id)
        attrs = {"count": count, "max_count": self._max, "zone": self.cfg.zone}
        labels = tuple(dets.labels) if ids else ()
        event = self._events.open(_KEY, obs.ts, obs.wall, EventContent(ids, labels, attrs))
        return [] if event is None else [event]

    def forget(self, track_id: int) -> None:
        """Nothing is kept per track (counts are per frame)."""

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close the open event, if any (camera stopping)."""
        self._sustained.reset()
        self._max = 0
        return self._events.close_all(ts, wall)


def build(ctx: RuleContext, cfg: CrowdRuleConfig) -> CrowdRule:
    """Build a ``crowd`` rule (whole frame when it names no zone)."""
    area = None if cfg.zone is None else ctx.zone(cfg.id, cfg.zone)
    return CrowdRule(ctx.camera_id, cfg, area, ctx.frame_shape, ctx.tz)


RULE_KINDS = (RuleKind(CrowdRuleConfig, build),)
