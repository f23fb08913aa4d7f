"""Unusual crowd: more objects in a zone than usual for this hour of the week.

The rule learns, per zone and hour-of-week bin (168 bins, in the camera's time zone), the mean
and variance of the per-minute mean count (see :mod:`kuzet.rules.baseline`).
The current count is unusual when it exceeds::

    limit = mean + max(margin_abs, margin_sigma * std)     (bin has >= min_history minutes)
    limit = threshold                                      (otherwise, if set; else no alert)

for ``min_duration`` seconds; the event closes after ``close_after`` seconds
at or below the limit. Minutes during an open event are not learned unless
``learn_during_alert`` (so an incident does not teach the baseline that it is
normal). The baseline persists in the state dir given by ``use_state_dir``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules.unusual_crowd import UnusualCrowdRuleConfig
from kuzet.core.types import Event, EventKind, Observation
from kuzet.events.lifecycle import EventContent, EventPolicy, EventSpec, EventTracker
from kuzet.rules.baseline import (
    Baseline,
    baseline_path,
    hour_of_week,
    load_baseline,
    save_baseline,
)
from kuzet.rules.crowd import ZoneCounter
from kuzet.rules.protocol import RuleContext, RuleKind
from kuzet.rules.sustain import Step, Sustained

_KEY = "unusual_crowd"


@dataclass(slots=True)
class _Minute:
    start: float  # wall time of the minute's start
    total: float = 0.0
    frames: int = 0
    alerted: bool = False  # an event was open during this minute


@dataclass(frozen=True, slots=True)
class Limit:
    """The count above which the current bin is unusual, and where it came from."""

    value: float
    source: str  # "baseline" or "threshold"
    mean: float = 0.0
    std: float = 0.0


class UnusualCrowdRule:
    """Raises ``unusual_crowd`` events; see the module docstring.

    Args:
        camera_id: Camera the rule runs on.
        cfg: The rule's settings.
        zone: The zone named by ``cfg.zone``, or None for the whole frame.
        frame_shape: (height, width) of the analysed frames.
        tz: Time zone of the hour-of-week bins and ``active_hours``; None = local.

    Example:
        >>> from kuzet.config.rules.unusual_crowd import UnusualCrowdRuleConfig
        >>> cfg = UnusualCrowdRuleConfig(id="u", threshold=20)
        >>> UnusualCrowdRule("cam", cfg, None, (480, 640)).limit(1.7e9).source
        'threshold'
    """

    kind = EventKind.UNUSUAL_CROWD

    def __init__(
        self,
        camera_id: str,
        cfg: UnusualCrowdRuleConfig,
        zone: ZoneConfig | None,
        frame_shape: Sequence[int],
        tz: tzinfo | None = None,
    ) -> None:
        self.id = cfg.id
        self.cfg = cfg
        self.camera_id = camera_id
        self.baseline = Baseline()
        self._tz = tz
        self._counter = ZoneCounter(zone, cfg.classes, frame_shape)
        self._sustained = Sustained(cfg.min_duration, cfg.close_after)
        self._minute: _Minute | None = None
        self._path: Path | None = None
        self._saved_ts: float | None = None
        self._max = 0
        policy = EventPolicy(
            cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz, material_attrs=("count",)
        )
        self._events = EventTracker(EventSpec(camera_id, self.kind, cfg.id, cfg.severity), policy)

    def use_state_dir(self, state_dir: Path) -> None:
        """Load the baseline from ``state_dir`` and keep saving it there.

        Raises:
            ValueError: The stored file is not a baseline.
        """
        self._path = baseline_path(state_dir, self.camera_id, self.cfg.zone)
        self.baseline = load_baseline(self._path)

    def save_state(self) -> None:
        """Write the baseline now (no-op without a state dir)."""
        if self._path is not None:
            save_baseline(self._path, self.baseline)

    def limit(self, wall: float) -> Limit | None:
        """The limit in force at ``wall``; None when there is neither history nor threshold."""
        stats = self.baseline.bins[hour_of_week(wall, self._tz)]
        if stats.n >= self.cfg.min_history:
            margin = max(self.cfg.margin_abs, self.cfg.margin_sigma * stats.std)
            return Limit(stats.mean + margin, "baseline", stats.mean, stats.std)
        if self.cfg.threshold is not None:
            return Limit(float(self.cfg.threshold), "threshold")
        return None

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation: learn, compare, open/update/close."""
        rows = self._counter.inside(obs)
        count = len(rows)
        self._learn(obs.wall, count)
        self._maybe_save(obs.ts)
        limit = self.limit(obs.wall)
        over = limit is not None and count > limit.value
        step = self._sustained.step(obs.ts, obs.wall, over)
        if step is Step.END:
            self._max = 0
            closed = self._events.close(
                _KEY, obs.ts, obs.wall, ended_wall=self._sustained.since_wall
            )
            return [] if closed is None else [closed]
        if step is not Step.HOLD or limit is None:
            return []
        self._max = max(self._max, count)
        attrs = {
            "zone": self.cfg.zone,
            "count": count,
            "max_count": self._max,
            "limit": round(limit.value, 2),
            "limit_source": limit.source,
            "baseline_mean": round(limit.mean, 2),
            "baseline_std": round(limit.std, 2),
        }
        event = self._events.open(_KEY, obs.ts, obs.wall, EventContent(attrs=attrs))
        return [] if event is None else [event]

    def _learn(self, wall: float, count: int) -> None:
        start = wall - wall % 60
        minute = self._minute
        if minute is not None and minute.start != start:
            if minute.frames and (self.cfg.learn_during_alert or not minute.alerted):
                bin_index = hour_of_week(minute.start, self._tz)
                self.baseline.add(bin_index, minute.total / minute.frames)
            minute = None
        if minute is None:
            minute = self._minute = _Minute(start)
        minute.total += count
        minute.frames += 1
        minute.alerted = minute.alerted or self._events.is_open(_KEY)

    def _maybe_save(self, ts: float) -> None:
        if self._saved_ts is None:
            self._saved_ts = ts
        elif ts - self._saved_ts >= self.cfg.save_every:
            self._saved_ts = ts
            self.save_state()

    def forget(self, track_id: int) -> None:
        """Nothing is kept per track (counts are per frame)."""

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close the open event and save the baseline (camera stopping)."""
        self._sustained.reset()
        self._max = 0
        self.save_state()
        return self._events.close_all(ts, wall)


def build(ctx: RuleContext, cfg: UnusualCrowdRuleConfig) -> UnusualCrowdRule:
    """Build an ``unusual_crowd`` rule (whole frame when it names no zone)."""
    area = None if cfg.zone is None else ctx.zone(cfg.id, cfg.zone)
    return UnusualCrowdRule(ctx.camera_id, cfg, area, ctx.frame_shape, ctx.tz)


RULE_KINDS = (RuleKind(UnusualCrowdRuleConfig, build),)
