"""Speeding: a track's ground speed in a zone against the zone's limit.

The camera's calibration (``calibration`` section: 4+ image points with their
positions in metres) gives a homography from the image to the road plane. Each
watched track's bottom centre inside the zone is mapped to metres; its speed is
the slope of a straight-line fit of ground position against time over the last
``window`` seconds, and its uncertainty combines the fit's standard error (box
jitter) with the calibration's relative error (its RMS residual over the
spread of its points)::

    X(t), Y(t) metres     ●  ●   ●  ●  ●      slope = (vx, vy) m/s
                       ───────────────────►  t   speed = |(vx, vy)|

The event (instantaneous, once per track) carries ``speed_kmh``,
``uncertainty_kmh`` and ``limit_kmh``; it fires when the speed minus
``confidence`` uncertainties is above the limit.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

import numpy as np
import numpy.typing as npt

from kuzet.config.calibration import CalibrationConfig
from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules.speeding import SpeedingRuleConfig
from kuzet.core.errors import ConfigError
from kuzet.core.geometry import points_in_mask, polygon_mask
from kuzet.core.homography import GroundFit
from kuzet.core.types import Event, EventKind, Observation
from kuzet.events.lifecycle import EventContent, EventPolicy, EventSpec, EventTracker
from kuzet.rules.frames import check_frame
from kuzet.rules.protocol import RuleContext, RuleKind

MPS_TO_KMH = 3.6


@dataclass(frozen=True)
class Speed:
    """A speed estimate: metres per second and its one-sigma uncertainty."""

    mps: float
    sigma_mps: float

    @property
    def kmh(self) -> float:
        """The speed in km/h."""
        return self.mps * MPS_TO_KMH

    @property
    def sigma_kmh(self) -> float:
        """The uncertainty in km/h."""
        return self.sigma_mps * MPS_TO_KMH


def fit_speed(ts: npt.ArrayLike, ground: npt.ArrayLike, relative_error: float = 0.0) -> Speed:
    """Speed from timestamped ground positions (least-squares line per axis).

    Args:
        ts: (N,) seconds, N >= 3, not all equal.
        ground: (N,2) positions in metres.
        relative_error: The calibration's relative scale error (0.02 = 2%).

    Returns:
        The speed and its uncertainty (fit standard error and scale error combined).

    Raises:
        ValueError: Fewer than 3 positions or no time span.

    Example:
        >>> s = fit_speed([0.0, 0.5, 1.0], [(0, 0), (5, 0), (10, 0)])
        >>> round(s.kmh, 1), round(s.sigma_kmh, 3)
        (36.0, 0.0)
    """
    t = np.asarray(ts, dtype=np.float64).reshape(-1)
    xy = np.asarray(ground, dtype=np.float64).reshape(-1, 2)
    if len(t) < 3 or len(xy) != len(t):
        raise ValueError(f"need 3+ positions with one time each, got {len(t)} and {len(xy)}")
    dt = t - t.mean()
    sxx = float(np.sum(dt**2))
    if sxx <= 0:
        raise ValueError("the positions have no time span")
    slope = (dt @ (xy - xy.mean(axis=0))) / sxx  # (vx, vy)
    resid = xy - xy.mean(axis=0) - np.outer(dt, slope)
    # Standard error of each slope; the speed's follows along the motion.
    se = np.sqrt(np.sum(resid**2, axis=0) / (len(t) - 2) / sxx)
    mps = float(np.hypot(*slope))
    along = slope / mps if mps > 0 else np.array([1.0, 0.0]) / 1.0
    sigma_fit = float(np.hypot(*(se * along))) if mps > 0 else float(np.hypot(*se))
    return Speed(mps, math.hypot(sigma_fit, mps * relative_error))


class SpeedingRule:
    """Raises ``speeding`` events; see the module docstring.

    Args:
        camera_id: Camera the rule runs on.
        cfg: The rule's settings.
        zone: The zone polygon, relative 0-1 points.
        fit: The camera's ground calibration (relative image points -> metres).
        frame_shape: (height, width) of the analysed frames.
        tz: Time zone for ``active_hours``; None = the machine's local zone.
    """

    kind = EventKind.SPEEDING

    def __init__(
        self,
        camera_id: str,
        cfg: SpeedingRuleConfig,
        zone: ZoneConfig,
        fit: tuple[GroundFit, float],
        frame_shape: Sequence[int],
        tz: tzinfo | None = None,
    ) -> None:
        self.id = cfg.id
        self.cfg = cfg
        self._shape = (int(frame_shape[0]), int(frame_shape[1]))
        self._mask = polygon_mask(zone.points, self._shape)
        self._fit, self._relative_error = fit
        self._classes = frozenset(cfg.classes)
        self._paths: dict[int, deque[tuple[float, float, float]]] = {}
        self._flagged: set[int] = set()
        policy = EventPolicy(cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz)
        self._events = EventTracker(EventSpec(camera_id, self.kind, cfg.id, cfg.severity), policy)

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation; returns speeding events (open and close at once).

        Raises:
            ValueError: The observation's frame size differs from the rule's.
        """
        check_frame(self.id, self._shape, obs)
        dets = obs.detections
        if dets.track_id is None or len(dets) == 0:
            return []
        labels = dets.labels
        anchors = dets.bottom_center.astype(np.float64)
        watched = np.asarray([label in self._classes for label in labels], dtype=bool)
        inside = watched & points_in_mask(self._mask, anchors)
        h, w = self._shape
        ground = self._fit.to_ground(anchors / np.array([w, h], dtype=np.float64))
        events: list[Event] = []
        for i, tid in enumerate(dets.track_id.tolist()):
            if not inside[i] or tid in self._flagged:
                continue
            speed = self._track_speed(tid, obs.ts, ground[i])
            if speed is not None and speed.kmh - self.cfg.confidence * speed.sigma_kmh > (
                self.cfg.limit_kmh
            ):
                self._flagged.add(tid)
                events.extend(self._raise(obs, tid, labels[i], speed))
        return events

    def speed_of(self, track_id: int) -> Speed | None:
        """The latest speed estimate of a track (None until it has enough positions)."""
        path = self._paths.get(track_id)
        if path is None or len(path) < 3 or path[-1][0] - path[0][0] < self.cfg.min_span:
            return None
        arr = np.asarray(path)
        return fit_speed(arr[:, 0], arr[:, 1:], self._relative_error)

    def _track_speed(self, tid: int, ts: float, ground: npt.NDArray[np.float64]) -> Speed | None:
        if not np.all(np.isfinite(ground)):
            return None
        path = self._paths.setdefault(tid, deque())
        path.append((ts, float(ground[0]), float(ground[1])))
        while path and ts - path[0][0] > self.cfg.window:
            path.popleft()
        return self.speed_of(tid)

    def _raise(self, obs: Observation, tid: int, label: str, speed: Speed) -> list[Event]:
        attrs = {
            "zone": self.cfg.zone,
            "speed_kmh": round(speed.kmh, 1),
            "uncertainty_kmh": round(speed.sigma_kmh, 1),
            "limit_kmh": self.cfg.limit_kmh,
        }
        content = EventContent((tid,), (label,), attrs)
        opened = self._events.open(tid, obs.ts, obs.wall, content)
        closed = self._events.close(tid, obs.ts, obs.wall)
        return [e for e in (opened, closed) if e is not None]

    def forget(self, track_id: int) -> None:
        """Drop the state of a track that ended."""
        self._paths.pop(track_id, None)
        self._flagged.discard(track_id)

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Speeding events close on the frame they open; nothing stays open."""
        return self._events.close_all(ts, wall)


def calibration_fit(calibration: CalibrationConfig) -> tuple[GroundFit, float]:
    """The camera's homography and its relative scale error (RMS residual / spread).

    Example:
        >>> from kuzet.config.calibration import CalibrationConfig
        >>> cal = CalibrationConfig(points=[
        ...     {"image": (0, 0), "ground": (0, 0)}, {"image": (1, 0), "ground": (4, 0)},
        ...     {"image": (1, 1), "ground": (4, 8)}, {"image": (0, 1), "ground": (0, 8)}])
        >>> calibration_fit(cal)[1]
        0.0
    """
    fit = calibration.fit()
    ground = np.asarray([p.ground for p in calibration.points], dtype=np.float64)
    spread = float(np.hypot(*np.ptp(ground, axis=0)))
    return fit, round(fit.rms_m / spread, 6) if spread > 0 else 0.0


def build(ctx: RuleContext, cfg: SpeedingRuleConfig) -> SpeedingRule:
    """Build a ``speeding`` rule (``ConfigError`` without a zone or a calibration)."""
    zone = ctx.zone(cfg.id, cfg.zone)
    if ctx.camera.calibration is None:
        raise ConfigError(
            f"cameras.{ctx.camera_id}: rule {cfg.id!r} measures speed: the camera needs "
            "a `calibration` section"
        )
    fit = calibration_fit(ctx.camera.calibration)
    return SpeedingRule(ctx.camera_id, cfg, zone, fit, ctx.frame_shape, ctx.tz)


RULE_KINDS = (RuleKind(SpeedingRuleConfig, build),)
