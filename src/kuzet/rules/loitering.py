"""Loitering: one track dwelling in a zone longer than ``min_duration`` seconds.

Each watched track's bottom-centre is tested against the zone (rasterised
once). Its dwell starts at the first frame inside and runs on frame time; a
track that steps out (or is not seen) for at most ``reentry_grace`` seconds and
comes back keeps its dwell::

    inside ──────────┐   ┌──────────── inside       dwell keeps running
                     └───┘ <= reentry_grace

One event per track: OPEN once the dwell exceeds ``min_duration``, an UPDATE
at most every ``UPDATE_EVERY_S`` seconds (attr ``dwell_s``), CLOSE when the
track has been away longer than the grace or when it ends. ``ended_at`` is the
last time it was seen inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

import numpy as np

from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules.loitering import LoiteringRuleConfig
from kuzet.core.geometry import points_in_mask, polygon_mask
from kuzet.core.types import Event, EventKind, Observation
from kuzet.events.lifecycle import TIME_EPS, EventContent, EventPolicy, EventSpec, EventTracker
from kuzet.rules.frames import check_frame
from kuzet.rules.protocol import RuleContext, RuleKind

UPDATE_EVERY_S = 10.0


@dataclass(slots=True)
class _Dwell:
    entered: float  # ts the dwell started
    last_in: float  # ts last seen inside
    last_in_wall: float
    label: str


class LoiteringRule:
    """Raises ``loitering`` events; see the module docstring.

    Args:
        camera_id: Camera the rule runs on.
        cfg: The rule's settings (``cfg.zone`` names ``zone``).
        zone: The zone polygon, relative 0-1 points.
        frame_shape: (height, width) of the analysed frames.
        tz: Time zone for ``active_hours``; None = the machine's local zone.

    Example:
        >>> from kuzet.config.geometry import ZoneConfig
        >>> from kuzet.config.rules.loitering import LoiteringRuleConfig
        >>> zone = ZoneConfig(points=[(0, 0), (1, 0), (1, 1)])
        >>> LoiteringRule("cam", LoiteringRuleConfig(id="l", zone="z"), zone, (480, 640)).kind
        <EventKind.LOITERING: 'loitering'>
    """

    kind = EventKind.LOITERING

    def __init__(
        self,
        camera_id: str,
        cfg: LoiteringRuleConfig,
        zone: ZoneConfig,
        frame_shape: Sequence[int],
        tz: tzinfo | None = None,
    ) -> None:
        self.id = cfg.id
        self.cfg = cfg
        self._shape = (int(frame_shape[0]), int(frame_shape[1]))
        self._mask = polygon_mask(zone.points, self._shape)
        self._classes = frozenset(cfg.classes)
        self._dwell: dict[int, _Dwell] = {}
        policy = EventPolicy(
            cooldown=cfg.cooldown,
            active_hours=cfg.active_hours,
            tz=tz,
            update_interval=UPDATE_EVERY_S,
            material_attrs=("dwell_s",),
        )
        self._events = EventTracker(EventSpec(camera_id, self.kind, cfg.id, cfg.severity), policy)

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation; returns OPEN/UPDATE/CLOSE events of tracks.

        Raises:
            ValueError: The observation's frame size differs from the rule's.
        """
        check_frame(self.id, self._shape, obs)
        self._refresh(obs)
        events: list[Event] = []
        for tid in list(self._dwell):
            event = self._step(obs, tid)
            if event is not None:
                events.append(event)
        return events

    def _refresh(self, obs: Observation) -> None:
        dets = obs.detections
        if dets.track_id is None or len(dets) == 0:
            return
        labels = dets.labels
        watched = np.asarray([label in self._classes for label in labels], dtype=bool)
        inside = watched & points_in_mask(self._mask, dets.bottom_center)
        for i in np.flatnonzero(inside):
            tid = int(dets.track_id[i])
            dwell = self._dwell.get(tid)
            if dwell is None or obs.ts - dwell.last_in > self.cfg.reentry_grace + TIME_EPS:
                self._dwell[tid] = _Dwell(obs.ts, obs.ts, obs.wall, labels[i])
            else:
                dwell.last_in, dwell.last_in_wall, dwell.label = obs.ts, obs.wall, labels[i]

    def _step(self, obs: Observation, tid: int) -> Event | None:
        dwell = self._dwell[tid]
        away = obs.ts - dwell.last_in
        if tid in obs.ended_tracks or away > self.cfg.reentry_grace + TIME_EPS:
            del self._dwell[tid]
            return self._events.close(tid, obs.ts, obs.wall, ended_wall=dwell.last_in_wall)
        if away > 0:  # outside or unseen right now, within the grace
            return None
        held = dwell.last_in - dwell.entered
        if held < self.cfg.min_duration - TIME_EPS:
            return None
        attrs = {"zone": self.cfg.zone, "dwell_s": round(held, 1)}
        return self._events.open(tid, obs.ts, obs.wall, EventContent((tid,), (dwell.label,), attrs))

    def forget(self, track_id: int) -> None:
        """Drop the state of a track that ended (its event was closed in ``update``)."""
        self._dwell.pop(track_id, None)

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close every open event (camera stopping)."""
        self._dwell.clear()
        return self._events.close_all(ts, wall)


def build(ctx: RuleContext, cfg: LoiteringRuleConfig) -> LoiteringRule:
    """Build a ``loitering`` rule (``ConfigError`` when its zone is missing)."""
    area = ctx.zone(cfg.id, cfg.zone)
    return LoiteringRule(ctx.camera_id, cfg, area, ctx.frame_shape, ctx.tz)


RULE_KINDS = (RuleKind(LoiteringRuleConfig, build),)
