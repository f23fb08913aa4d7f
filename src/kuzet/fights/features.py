"""Fight features: per-frame pose + flow measurements, aggregated over sliding windows.

The path is the same for training, ``kuzet eval fights`` and the live camera:

    frame (any size/rate) -> FrameSampler at ``fps`` (by timestamp)
      -> PoseEstimator.detect_frame (run by the caller) -> pose_frame (11 values)
      -> FlowMeter.measure (DIS flow at 224 px)                    (13 values)
      -> |embedding - previous embedding| (pose backbone)          (1280 values)
      = one frame row (:data:`FRAME_NAMES`)
    rows of the last ``window_s`` seconds -> mean / max / std per pose and flow
      column + share of frames with a group of 2+ people (:data:`HAND_NAMES`, 73)
      + log(1 + mean) of each embedding change column (:data:`MOTION_NAMES`, 1280)
      = one window vector (:data:`FEATURE_NAMES`)

The embedding change ("motion in feature space") carries most of the accuracy;
the hand-made pose and flow features say who is involved and where.

Per-frame rows do not depend on the window length, so training caches them and
can try other windows without decoding again.
"""

from __future__ import annotations

import warnings
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from kuzet.core.types import Detections, FloatArray, Frame
from kuzet.enrich.pose.movenet import EMBEDDING_DIM
from kuzet.fights.flow import FLOW_NAMES, FLOW_WIDTH, FlowMeter
from kuzet.fights.posefeat import POSE_NAMES, People, pose_frame
from kuzet.ingest.timing import FrameSampler

# Bump when per-frame rows change meaning (invalidates the training cache).
FEATURE_VERSION = 8
MEASURED_NAMES: tuple[str, ...] = POSE_NAMES + FLOW_NAMES
EMBEDDING_NAMES: tuple[str, ...] = tuple(f"embedding_delta_{i:04d}" for i in range(EMBEDDING_DIM))
FRAME_NAMES: tuple[str, ...] = MEASURED_NAMES + EMBEDDING_NAMES
AGGREGATES = ("mean", "max", "std")
GROUP = FRAME_NAMES.index("group")
HAND_NAMES: tuple[str, ...] = tuple(
    f"{name}_{agg}" for agg in AGGREGATES for name in MEASURED_NAMES
) + ("group_share",)
MOTION_NAMES: tuple[str, ...] = tuple(f"embedding_motion_{i:04d}" for i in range(EMBEDDING_DIM))
FEATURE_NAMES: tuple[str, ...] = HAND_NAMES + MOTION_NAMES

DEFAULT_FPS = 10.0
DEFAULT_WINDOW_S = 1.0
DEFAULT_STRIDE_S = 0.2
# Frames fed to the pose model and the flow meter in training and eval are
# scaled to this width first (live frames come at the pipeline's analysis width;
# every feature is normalised, so the exact width matters little).
ANALYSIS_WIDTH = 640


def window_features(rows: FloatArray) -> FloatArray:
    """Aggregate per-frame rows (n, len(FRAME_NAMES)) into one window vector.

    NaN (unknown, e.g. flow of the first frame) is ignored; a column with no
    value at all becomes 0.

    Example:
        >>> rows = np.zeros((10, len(FRAME_NAMES)), np.float32)
        >>> window_features(rows).shape == (len(FEATURE_NAMES),)
        True
    """
    if rows.ndim != 2 or rows.shape[1] != len(FRAME_NAMES):
        raise ValueError(f"expected rows of shape (n, {len(FRAME_NAMES)}), got {rows.shape}")
    measured, delta = rows[:, : len(MEASURED_NAMES)], rows[:, len(MEASURED_NAMES):]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        parts = [np.nanmean(measured, axis=0), np.nanmax(measured, axis=0),
                 np.nanstd(measured, axis=0)]
        motion = np.log1p(np.nanmean(delta, axis=0))
    multi = float(np.mean(rows[:, GROUP] >= 2)) if len(rows) else 0.0
    out = np.concatenate([*parts, [multi], motion]).astype(np.float32)
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)


@dataclass(frozen=True)
class FrameRecord:
    """What one analysed frame leaves in the window buffer."""

    ts: float
    wall: float
    row: FloatArray
    boxes: FloatArray  # boxes of the largest group of people
    aggression: tuple[tuple[int, int], ...]  # pairs into ``boxes``


@dataclass(frozen=True)
class WindowSample:
    """Features of one window and the people to report with it."""

    ts: float
    wall: float
    features: FloatArray
    boxes: FloatArray
    aggression: tuple[tuple[int, int], ...]
    frames: int


@dataclass
class _State:
    sampler: FrameSampler
    flow: FlowMeter
    people: People | None = None
    embedding: FloatArray | None = None
    last_ts: float | None = None
    last_emit: float | None = None
    buffer: deque[FrameRecord] = field(default_factory=deque)


class FeatureExtractor:
    """Stateful per-camera feature stream: frames + poses in, window vectors out.

    Args:
        fps: Analysis rate; frames are kept by timestamp on a 1/fps grid.
        window_s: Window length in seconds.
        stride_s: A window is produced every ``stride_s`` seconds once full.
        flow_width: Width of the gray frame the optical flow runs on.
    """

    def __init__(
        self,
        fps: float = DEFAULT_FPS,
        window_s: float = DEFAULT_WINDOW_S,
        stride_s: float = DEFAULT_STRIDE_S,
        flow_width: int = FLOW_WIDTH,
    ) -> None:
        if fps <= 0 or window_s <= 0 or stride_s <= 0:
            raise ValueError(
                f"fps, window_s and stride_s must be > 0, got {fps}, {window_s}, {stride_s}"
            )
        self.fps, self.window_s, self.stride_s = float(fps), float(window_s), float(stride_s)
        self.flow_width = flow_width
        self._s = self._new_state()

    def _new_state(self) -> _State:
        return _State(FrameSampler(self.fps), FlowMeter(self.flow_width))

    def reset(self) -> None:
        """Forget all frames (e.g. after a reconnect or a seek)."""
        self._s = self._new_state()

    def frame_record(
        self, frame: Frame, poses: Detections, embedding: FloatArray | None = None
    ) -> FrameRecord | None:
        """Measure one frame (None when the sampler skips it).

        ``embedding`` is the pose model's (see ``PoseEstimator.detect_frame``);
        without it the embedding columns are unknown (NaN) and score as no motion.
        """
        s = self._s
        if not s.sampler.keep(frame.ts):
            return None
        if s.last_ts is not None and frame.ts <= s.last_ts:
            self.reset()  # time went backwards: a new clip or a restarted stream
            s = self._s
            s.sampler.keep(frame.ts)
        dt = frame.ts - s.last_ts if s.last_ts is not None else 0.0
        if dt > 3.0 / self.fps:  # a gap: do not measure motion across it
            s.people, s.embedding, dt = None, None, 0.0
            s.flow.reset()
            s.buffer.clear()
        pose = pose_frame(s.people, poses, frame.shape[0], dt)
        flow = s.flow.measure(frame.image, dt, pose.people.boxes)
        delta = np.full(EMBEDDING_DIM, np.nan, np.float32)
        if embedding is not None and s.embedding is not None:
            delta = np.abs(embedding - s.embedding)
        s.people, s.embedding, s.last_ts = pose.people, embedding, frame.ts
        group_boxes = pose.people.boxes[pose.group] if len(pose.group) else pose.people.boxes
        index = {int(g): k for k, g in enumerate(pose.group)}
        pairs = tuple((index[a], index[b]) for a, b in pose.aggression
                      if a in index and b in index)
        return FrameRecord(frame.ts, frame.wall, np.concatenate([pose.row, flow, delta]),
                           group_boxes, pairs)

    def update(
        self, frame: Frame, poses: Detections, embedding: FloatArray | None = None
    ) -> WindowSample | None:
        """Add a frame; return a window every ``stride_s`` once ``window_s`` is covered."""
        record = self.frame_record(frame, poses, embedding)
        if record is None:
            return None
        return self.push(record)

    def push(self, record: FrameRecord) -> WindowSample | None:
        """Add a measured frame to the window buffer (also used to replay cached rows)."""
        s = self._s
        period = 1.0 / self.fps
        s.buffer.append(record)
        while s.buffer and s.buffer[0].ts <= record.ts - self.window_s + 0.5 * period:
            s.buffer.popleft()
        span = record.ts - s.buffer[0].ts + period
        if span < self.window_s - 0.5 * period:
            return None
        if s.last_emit is not None and record.ts < s.last_emit + self.stride_s - 0.5 * period:
            return None
        s.last_emit = record.ts
        rows = np.stack([r.row for r in s.buffer])
        best = max(s.buffer, key=lambda r: (len(r.boxes), r.ts))
        return WindowSample(record.ts, record.wall, window_features(rows), best.boxes,
                            best.aggression, len(s.buffer))


    def partial(self) -> WindowSample | None:
        """A window of whatever is buffered, if no window was produced yet.

        For clips shorter than ``window_s`` (eval and training use it at a clip's
        end, so a short clip still gets one score); None otherwise.
        """
        s = self._s
        if s.last_emit is not None or not s.buffer:
            return None
        last = s.buffer[-1]
        rows = np.stack([r.row for r in s.buffer])
        best = max(s.buffer, key=lambda r: (len(r.boxes), r.ts))
        return WindowSample(last.ts, last.wall, window_features(rows), best.boxes,
                            best.aggression, len(s.buffer))


def replay_windows(
    ts: FloatArray, rows: FloatArray, window_s: float, stride_s: float, fps: float = DEFAULT_FPS
) -> FloatArray:
    """Window vectors of cached per-frame rows, exactly as the live path makes them."""
    extractor = FeatureExtractor(fps, window_s, stride_s)
    empty = np.zeros((0, 4), np.float32)
    out = []
    for t, row in zip(ts, rows, strict=True):
        sample = extractor.push(FrameRecord(float(t), float(t), row, empty, ()))
        if sample is not None:
            out.append(sample.features)
    tail = extractor.partial()
    if tail is not None:
        out.append(tail.features)
    if not out:
        return np.zeros((0, len(FEATURE_NAMES)), np.float32)
    return np.stack(out)
