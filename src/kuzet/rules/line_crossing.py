"""Line crossing: directional counts per class, wrong-way alerts.

A crossing is the segment between two consecutive anchor positions (bottom
centre, or box centre with ``anchor: centre``) of the SAME track intersecting the
line segment (never "centroid in a thin polygon"). Direction follows the line's
start->end: coming from its left and ending on its right is ``in``. In image
coordinates (y grows downwards)::

        start ●───────────────► end
                   left (out side)
        ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─   band of ±min_distance: no side
                   right (in side)

Hysteresis: a track has a *committed side* once its anchor is more than
``min_distance`` (fraction of the frame diagonal) from the line. A crossing
counts when the track commits to the other side and its path since the last
commitment intersected the line segment. Jitter inside the band never commits,
so it never counts; wandering back to the old side voids the pending crossing.

The whole track counts, not only consecutive positions: a track first seen
inside the band has the side of its first position as its origin, so it counts
when it commits to the other side; and a track that ends (occluded, lost) after
its path crossed the line, with its last position beyond the line but still
inside the band, counts at its last position (emitted with the next
observation, stamped with that position's time).
A track counts at most once per direction per ``recount_after`` seconds, and
rows without a track id are never counted (they cannot be followed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

import numpy as np
import numpy.typing as npt

from kuzet.config.geometry import LineConfig
from kuzet.config.rules.line_crossing import LineCrossingRuleConfig
from kuzet.core.counts import Direction, LineCount, minute_start
from kuzet.core.geometry import rel_to_abs
from kuzet.core.types import Event, EventKind, Observation, Severity
from kuzet.events.lifecycle import EventContent, EventPolicy, EventSpec, EventTracker
from kuzet.rules.frames import check_frame
from kuzet.rules.protocol import RuleContext, RuleKind

FloatArray = npt.NDArray[np.float64]


def _cross(o: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    # z of (a - o) x (b - o), row-wise; positive = b on the right of o->a
    # in image coordinates (y down).
    d1, d2 = a - o, b - o
    out: FloatArray = d1[..., 0] * d2[..., 1] - d1[..., 1] * d2[..., 0]
    return out


def segments_cross(
    line: FloatArray, prev: FloatArray, curr: FloatArray
) -> npt.NDArray[np.bool_]:
    """Which movements ``prev[i] -> curr[i]`` intersect the segment ``line``.

    Args:
        line: (2,2) start and end of the line, pixels.
        prev: (N,2) previous positions.
        curr: (N,2) current positions.

    Returns:
        (N,) bool; touching an end point counts, a zero-length move never does.

    Example:
        >>> line = np.array([[0.0, 5.0], [10.0, 5.0]])
        >>> segments_cross(line, np.array([[5.0, 0.0]]), np.array([[5.0, 9.0]])).tolist()
        [True]
    """
    a = np.broadcast_to(line[0], prev.shape)
    b = np.broadcast_to(line[1], prev.shape)
    side_prev, side_curr = _cross(a, b, prev), _cross(a, b, curr)
    end_a, end_b = _cross(prev, curr, a), _cross(prev, curr, b)
    moved = np.any(prev != curr, axis=1)
    straddles = (side_prev * side_curr <= 0) & ((side_prev != 0) | (side_curr != 0))
    hits: npt.NDArray[np.bool_] = moved & straddles & (end_a * end_b <= 0)
    return hits


@dataclass(slots=True)
class _TrackState:
    position: tuple[float, float]
    side: int = 0  # committed side: -1 left (out side), +1 right (in side), 0 unknown
    touched: bool = False  # path intersected the line since the last commitment
    counted_at: dict[Direction, float] = field(default_factory=dict)
    origin: int = 0  # side (sign) of the first position, even inside the band
    sign: int = 0  # side (sign) of the latest position, even inside the band
    label: str = ""
    seen: tuple[float, float] = (0.0, 0.0)  # (ts, wall) of the latest position

    def before(self) -> int:
        """The side the track came from: its committed side, else its origin."""
        return self.side or self.origin


@dataclass(frozen=True, slots=True)
class _Ended:
    """A crossing found when its track ended, emitted with the next observation."""

    track_id: int
    label: str
    direction: Direction
    ts: float
    wall: float


class LineCrossingRule:
    """Counts crossings of one line; raises ``wrong_way`` / ``line_crossing`` events.

    Args:
        camera_id: Camera the rule runs on.
        cfg: The rule's settings (``cfg.line`` names ``line``).
        line: The line, relative 0-1 points.
        frame_shape: (height, width) of the analysed frames.
        tz: Time zone for ``active_hours``; None = the machine's local zone.

    Example:
        >>> from kuzet.config.geometry import LineConfig
        >>> from kuzet.config.rules.line_crossing import LineCrossingRuleConfig
        >>> cfg = LineCrossingRuleConfig(id="road", line="road")
        >>> rule = LineCrossingRule("cam1", cfg, LineConfig(start=(0, .5), end=(1, .5)), (360, 640))
        >>> rule.drain_counts()
        []
    """

    kind = EventKind.LINE_CROSSING

    def __init__(
        self,
        camera_id: str,
        cfg: LineCrossingRuleConfig,
        line: LineConfig,
        frame_shape: Sequence[int],
        tz: tzinfo | None = None,
    ) -> None:
        self.id = cfg.id
        self.cfg = cfg
        self.camera_id = camera_id
        self._shape = (int(frame_shape[0]), int(frame_shape[1]))
        self._line = rel_to_abs([line.start, line.end], self._shape).astype(np.float64)
        vec = self._line[1] - self._line[0]
        self._length = float(np.hypot(vec[0], vec[1]))
        self._band = cfg.min_distance * float(np.hypot(*self._shape))
        self._classes = frozenset(cfg.classes)
        self._forbidden = frozenset(Direction(d) for d in cfg.directions_forbidden)
        self._tracks: dict[int, _TrackState] = {}
        self._ended: list[_Ended] = []
        self._counts: dict[tuple[float, str, Direction], int] = {}
        policy = EventPolicy(cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz)
        wrong = EventSpec(camera_id, EventKind.WRONG_WAY, cfg.id, cfg.severity)
        crossing = EventSpec(camera_id, EventKind.LINE_CROSSING, cfg.id, Severity.DETECTION)
        self._wrong_way = EventTracker(wrong, policy)
        self._crossings = EventTracker(crossing, policy)

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation; counts crossings, returns wrong-way/crossing events.

        Raises:
            ValueError: The observation's frame size differs from the rule's.
        """
        check_frame(self.id, self._shape, obs)
        events = self._flush_ended()
        dets = obs.detections
        if dets.track_id is None or len(dets) == 0:
            return events
        labels = dets.labels
        watched = np.asarray([label in self._classes for label in labels], dtype=bool)
        ids = dets.track_id[watched].tolist()
        anchors = dets.bottom_center if self.cfg.anchor == "bottom" else _centres(dets.xyxy)
        points = anchors[watched].astype(np.float64)
        kept = [labels[i] for i in np.flatnonzero(watched)]
        for tid, label, direction in self._crossings_of(ids, points, kept, (obs.ts, obs.wall)):
            events.extend(self._record(obs.ts, obs.wall, tid, label, direction))
        return events

    def _crossings_of(
        self, ids: list[int], points: FloatArray, labels: list[str], when: tuple[float, float]
    ) -> list[tuple[int, str, Direction]]:
        # Vectorised geometry over every watched track; per-track state after.
        known = [self._tracks.get(t) for t in ids]
        prev = np.array(
            [p if s is None else s.position for s, p in zip(known, points, strict=True)],
            dtype=np.float64,
        ).reshape(-1, 2)
        hits = segments_cross(self._line, prev, points)
        a = np.broadcast_to(self._line[0], points.shape)
        b = np.broadcast_to(self._line[1], points.shape)
        dist = _cross(a, b, points) / self._length
        sides = np.where(dist > self._band, 1, np.where(dist < -self._band, -1, 0))
        signs = np.sign(dist).astype(int)
        found: list[tuple[int, str, Direction]] = []
        for i, tid in enumerate(ids):
            state = self._tracks.get(tid)
            if state is None:
                state = self._tracks[tid] = _TrackState((0.0, 0.0), origin=int(signs[i]))
            state.position = (float(points[i, 0]), float(points[i, 1]))
            state.touched = state.touched or bool(hits[i])
            state.sign, state.label, state.seen = int(signs[i]), labels[i], when
            side = int(sides[i])
            if side == 0:
                continue
            if state.before() == -side and state.touched and self._may_count(state, side, when[0]):
                found.append((tid, labels[i], _direction(side)))
            state.side, state.touched = side, False
        return found

    def _may_count(self, state: _TrackState, side: int, ts: float) -> bool:
        # At most once per direction per recount_after seconds; records the count.
        direction = _direction(side)
        last = state.counted_at.get(direction)
        if last is not None and ts - last < self.cfg.recount_after:
            return False
        state.counted_at[direction] = ts
        return True

    def _flush_ended(self) -> list[Event]:
        events: list[Event] = []
        for c in self._ended:
            events.extend(self._record(c.ts, c.wall, c.track_id, c.label, c.direction))
        self._ended.clear()
        return events

    def _record(
        self, ts: float, wall: float, tid: int, label: str, direction: Direction
    ) -> list[Event]:
        minute = minute_start(wall).timestamp()
        key = (minute, label, direction)
        self._counts[key] = self._counts.get(key, 0) + 1
        content = EventContent(
            (tid,), (label,), {"line": self.cfg.line, "direction": str(direction)}
        )
        events: list[Event] = []
        trackers = [self._crossings] if self.cfg.emit_events else []
        if direction in self._forbidden:
            trackers.append(self._wrong_way)
        for tracker in trackers:
            # A crossing is instantaneous: the event opens and closes on this frame.
            opened = tracker.open((tid, direction), ts, wall, content)
            closed = tracker.close((tid, direction), ts, wall)
            events.extend(e for e in (opened, closed) if e is not None)
        return events

    def drain_counts(self) -> list[LineCount]:
        """The count increments since the last drain (then forgotten here).

        Returns:
            One ``LineCount`` per (minute, class, direction) with crossings.
        """
        out = [
            LineCount(
                self.camera_id, self.cfg.line, datetime.fromtimestamp(m, UTC), label, direction, n
            )
            for (m, label, direction), n in sorted(self._counts.items())
        ]
        self._counts.clear()
        return out

    def forget(self, track_id: int) -> None:
        """Drop the state of a track that ended, keeping its crossing if it has one.

        A track whose path crossed the line since it last committed to a side and
        whose last position lies beyond the line (inside the band, or it would have
        committed already) crossed: its count is kept for the next ``update``.
        """
        state = self._tracks.pop(track_id, None)
        if state is None or not state.touched or state.before() != -state.sign:
            return
        if self._may_count(state, state.sign, state.seen[0]):
            direction = _direction(state.sign)
            self._ended.append(_Ended(track_id, state.label, direction, *state.seen))

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Emit crossings of tracks that ended; crossing events close on the frame they open."""
        events = self._flush_ended()
        return events + self._wrong_way.close_all(ts, wall) + self._crossings.close_all(ts, wall)


def _direction(side: int) -> Direction:
    # Committing to the right of start->end is `in`.
    return Direction.IN if side > 0 else Direction.OUT



def _centres(xyxy: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.column_stack([(xyxy[:, 0] + xyxy[:, 2]) / 2, (xyxy[:, 1] + xyxy[:, 3]) / 2])


def build(ctx: RuleContext, cfg: LineCrossingRuleConfig) -> LineCrossingRule:
    """Build a ``line_crossing`` rule (``ConfigError`` when its line is missing)."""
    line = ctx.line(cfg.id, cfg.line)
    return LineCrossingRule(ctx.camera_id, cfg, line, ctx.frame_shape, ctx.tz)


RULE_KINDS = (RuleKind(LineCrossingRuleConfig, build),)
