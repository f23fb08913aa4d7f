"""ByteTrack-class multi-object tracker with time measured in seconds.

Each step: predict every track to the frame's timestamp (constant-velocity
Kalman filter, ``dt`` in seconds, so irregular frames are fine), then associate
in ByteTrack's order::

    1. high-score detections  <-> confirmed tracks (matched or lost), predicted boxes
    1b. high-score leftovers  <-> confirmed leftovers, by their last seen box
    2. low-score detections   <-> confirmed tracks still unmatched and not lost
    3. high-score leftovers   <-> tentative tracks
    4. high-score leftovers   ->  new tentative tracks

Association is IoU with the Hungarian method, within class groups (a person
never matches a car). A track is reported once it has ``min_hits`` detections,
then keeps its id until it has gone ``max_lost`` seconds without one.

With motion gating the detector scans only some regions of a frame. A track
outside every scanned region was not looked for, so it is not lost: it
"coasts" (reported with its last detection, its lost time paused) until a scan
covers it again; the periodic full-frame pass guarantees that happens.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kuzet.config.tracking import TrackingConfig
from kuzet.core.geometry import clip_boxes
from kuzet.core.types import Detections, FloatArray
from kuzet.track.association import associate, class_groups
from kuzet.track.base import BoolArray, TrackResult, empty_boxes
from kuzet.track.kalman import KalmanBox

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Track:
    """Mutable state of one track, private to the tracker."""

    kf: KalmanBox
    first_ts: float
    last_seen: float
    last_box: npt.NDArray[np.float32]  # the latest matched detection's box
    track_id: int | None = None  # public id, assigned on confirmation
    hits: int = 1
    matched: bool = True  # matched in the latest step (False = lost)
    unscanned_s: float = 0.0  # time since last_seen during which nobody looked for it
    coasting: bool = False  # outside every scanned region in the latest step
    still: bool = False  # stationary as of the latest step
    last_row: Detections | None = None  # the latest matched detection, one row
    votes: dict[int, float] = field(default_factory=dict)  # class id -> summed scores
    # (ts, x, y) of measured bottom-centres within the stationary window
    path: deque[tuple[float, float, float]] = field(default_factory=deque)

    @property
    def class_id(self) -> int:
        """Class with the highest summed detection score over the track's life.

        A confidence-weighted vote: a few confident detections of one class
        outweigh many doubtful ones of another (earliest wins ties).
        """
        return max(self.votes, key=self.votes.__getitem__)

    def vote(self, class_id: int, score: float) -> None:
        """Add one detection's class vote, weighted by its score."""
        self.votes[class_id] = self.votes.get(class_id, 0.0) + score

    def observe(self, dets: Detections, row: int, ts: float) -> None:
        """Record a matched detection (row ``row`` of ``dets``) and its class vote."""
        box = dets.xyxy[row]
        self.kf.update(box)
        self.last_box = box.copy()
        self.vote(int(dets.class_id[row]), float(dets.score[row]))
        self.last_seen = ts
        self.unscanned_s = 0.0
        self.hits += 1
        self.matched = True
        self.path.append((ts, float(box[0] + box[2]) / 2, float(box[3])))


@dataclass
class _Step:
    """One update's inputs and the detection row -> track assignments so far."""

    dets: Detections
    groups: list[str]
    ts: float
    owner: dict[int, _Track] = field(default_factory=dict)


class ByteTracker:
    """ByteTrack-class tracker; see the module docstring for the steps.

    Args:
        cfg: Thresholds and durations (seconds).
        frame_shape: (height, width) of the analysed frames.

    Example:
        >>> from kuzet.config.tracking import TrackingConfig
        >>> tracker = ByteTracker(TrackingConfig(min_hits=1), (480, 640))
        >>> d = Detections([[10, 10, 50, 90]], [0.9], [0], class_names=("person",))
        >>> tracker.update(d, 0.0).detections.track_id.tolist()
        [1]
    """

    def __init__(self, cfg: TrackingConfig, frame_shape: Sequence[int]) -> None:
        if len(frame_shape) < 2 or frame_shape[0] <= 0 or frame_shape[1] <= 0:
            raise ValueError(f"frame_shape must be (height, width) > 0, got {frame_shape}")
        self.cfg = cfg
        self._shape = (int(frame_shape[0]), int(frame_shape[1]))
        self._still_px = cfg.stationary_radius * math.hypot(*self._shape)
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._last_ts: float | None = None

    @property
    def live_boxes(self) -> FloatArray:
        """(K,4) xyxy boxes of every live track as of the last update, clipped."""
        if not self._tracks:
            return empty_boxes()
        boxes = np.stack([t.kf.box for t in self._tracks]).astype(np.float32)
        return clip_boxes(boxes, self._shape)

    @property
    def moving_boxes(self) -> FloatArray:
        """Live boxes of tracks that are not stationary: where to keep looking."""
        moving = [t for t in self._tracks if not t.still]
        if not moving:
            return empty_boxes()
        return clip_boxes(np.stack([t.kf.box for t in moving]).astype(np.float32), self._shape)

    def update(
        self, dets: Detections, ts: float, scanned: FloatArray | None = None
    ) -> TrackResult:
        """Associate one frame's detections with the tracks.

        Args:
            dets: Detections of one frame; never modified.
            ts: The frame's timestamp in seconds. If it goes backwards (a
                looped file, a restarted stream) every track ends first.
            scanned: (M,4) regions the detector scanned; None = the whole frame.
                Tracks outside them coast instead of counting as lost.

        Returns:
            Tracked detections of confirmed tracks, stationary flags, the ids of
            tracks that ended and the live track boxes.
        """
        previous_ts = self._last_ts
        ended = self._advance(ts)
        self._mark_unscanned(scanned, ts - previous_ts if previous_ts is not None else 0.0)
        ended += self._expire(ts)
        step = _Step(dets, class_groups(dets.class_id, dets.class_names), ts)
        high = np.flatnonzero(dets.score >= self.cfg.high_score)
        low = np.flatnonzero(
            (dets.score >= self.cfg.low_score) & (dets.score < self.cfg.high_score)
        )
        confirmed = [t for t in self._tracks if t.track_id is not None]
        tentative = [t for t in self._tracks if t.track_id is None]
        was_matched = {id(t) for t in self._tracks if t.matched}
        for t in self._tracks:
            t.matched = False
        left_tracks, left_high = self._match(confirmed, high, step)
        # Recovery by the last seen box (as in OC-SORT): after a long gap or a
        # sudden stop the velocity prediction can overshoot the object.
        left_tracks, left_high = self._match(left_tracks, left_high, step, predicted=False)
        # Low-score rows only extend tracks seen last step, never lost ones.
        self._match([t for t in left_tracks if id(t) in was_matched], low, step)
        unmatched_tentative, left_high = self._match(tentative, left_high, step)
        dropped = set(map(id, unmatched_tentative))
        self._tracks = [t for t in self._tracks if id(t) not in dropped]
        for row in left_high:
            step.owner[int(row)] = self._start(dets, int(row), ts)
        self._confirm()
        return self._result(step, tuple(ended))

    def _advance(self, ts: float) -> list[int]:
        # Predict every track to ts; time running backwards ends every track.
        ended: list[int] = []
        if self._last_ts is not None and ts < self._last_ts:
            log.warning("time went back from %.3f to %.3f s; ending all tracks", self._last_ts, ts)
            ended = [t.track_id for t in self._tracks if t.track_id is not None]
            self._tracks = []
            self._last_ts = None
        dt = 0.0 if self._last_ts is None else ts - self._last_ts
        for t in self._tracks:
            t.kf.predict(dt)
        self._last_ts = ts
        return ended

    def _match(
        self,
        tracks: list[_Track],
        rows: npt.NDArray[np.intp],
        step: _Step,
        predicted: bool = True,
    ) -> tuple[list[_Track], npt.NDArray[np.intp]]:
        # Associate tracks with detection rows; returns the unmatched of each.
        if not tracks or not len(rows):
            return tracks, rows
        dets = step.dets
        boxes = np.stack([t.kf.box if predicted else t.last_box for t in tracks])
        t_groups = class_groups([t.class_id for t in tracks], dets.class_names)
        matches, left_t, left_d = associate(
            boxes, t_groups, dets.xyxy[rows], [step.groups[i] for i in rows], self.cfg.match_iou
        )
        for ti, di in matches:
            row = int(rows[di])
            tracks[ti].observe(dets, row, step.ts)
            tracks[ti].last_row = dets[[row]]
            step.owner[row] = tracks[ti]
        return [tracks[i] for i in left_t], rows[left_d]

    def _mark_unscanned(self, scanned: FloatArray | None, dt: float) -> None:
        for t in self._tracks:
            t.coasting = False
        if scanned is None or not self._tracks:
            return
        boxes = np.stack([t.kf.box for t in self._tracks])
        cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
        regions = np.asarray(scanned, np.float32).reshape(-1, 4)
        in_region = (
            (cx[:, None] >= regions[None, :, 0])
            & (cx[:, None] <= regions[None, :, 2])
            & (cy[:, None] >= regions[None, :, 1])
            & (cy[:, None] <= regions[None, :, 3])
        )
        inside = [bool(row.any()) for row in in_region]
        for t, seen in zip(self._tracks, inside, strict=True):
            if not seen:
                t.coasting = True
                t.unscanned_s += dt

    def _expire(self, ts: float) -> list[int]:
        # Tracks unseen for longer than max_lost end before association, so a
        # detection after a long gap starts a new track instead of reviving one.
        # Time outside the scanned regions does not count as unseen.
        lost_s = self.cfg.max_lost
        ended = [t for t in self._tracks if ts - t.last_seen - t.unscanned_s > lost_s]
        if ended:
            gone = set(map(id, ended))
            self._tracks = [t for t in self._tracks if id(t) not in gone]
        return [t.track_id for t in ended if t.track_id is not None]

    def _start(self, dets: Detections, row: int, ts: float) -> _Track:
        box = dets.xyxy[row]
        track = _Track(
            kf=KalmanBox(box), first_ts=ts, last_seen=ts, last_box=box.copy(), last_row=dets[[row]]
        )
        track.vote(int(dets.class_id[row]), float(dets.score[row]))
        track.path.append((ts, float(box[0] + box[2]) / 2, float(box[3])))
        self._tracks.append(track)
        return track

    def _confirm(self) -> None:
        for t in self._tracks:
            if t.track_id is None and t.hits >= self.cfg.min_hits:
                t.track_id = self._next_id
                self._next_id += 1

    def _stationary(self, track: _Track, ts: float) -> bool:
        # Still when every bottom-centre of the last `stationary_after` seconds
        # lies within the radius of the current one, and the window is covered.
        window_start = ts - self.cfg.stationary_after
        path = track.path
        while len(path) >= 2 and path[1][0] <= window_start:
            path.popleft()
        if path[0][0] > window_start + 1e-9:
            return False
        _, x, y = path[-1]
        return all(math.hypot(px - x, py - y) < self._still_px for _, px, py in path)

    def _result(self, step: _Step, ended: tuple[int, ...]) -> TrackResult:
        owner, ts = step.owner, step.ts
        rows = sorted(r for r, t in owner.items() if t.track_id is not None)
        tracks = [owner[r] for r in rows]
        parts = [step.dets[np.asarray(rows, dtype=np.intp)]]
        matched = set(map(id, tracks))
        for t in self._tracks:  # coasting: not looked for, so still where it was
            if t.coasting and t.track_id is not None and id(t) not in matched and t.last_row:
                tracks.append(t)
                parts.append(t.last_row)
        merged = Detections.merge(parts) if len(parts) > 1 else parts[0]
        out = merged.with_columns(
            track_id=np.asarray([t.track_id for t in tracks], dtype=np.int64),
            class_id=np.asarray([t.class_id for t in tracks], dtype=np.int64),
            class_names=step.dets.class_names or merged.class_names,
        )
        for t in self._tracks:
            t.still = self._stationary(t, ts)
        stationary: BoolArray = np.asarray([t.still for t in tracks], dtype=bool)
        return TrackResult(out, stationary, ended, self.live_boxes)
