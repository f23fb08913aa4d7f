"""Region planning: where should the detector look on this frame?

Motion boxes and live-track boxes (grown by a margin, since objects move between
analysed frames) are clustered into a few square crops of at least the model's
input size, so small objects are seen at native resolution (DESIGN.md: crop and
zoom regions for a small model). When crops would cost more than one
full-frame pass, or every ``full_frame_interval`` seconds so that still objects
are not lost, the plan is a full-frame pass instead.

::

    motion/track boxes        clusters (union fits a crop    squares >= model size,
    +--+    +--+              or boxes overlap)              moved inside the frame
    |  |    |  |   +--+   ->  +---------+  +--+          ->  +-----------+ +------+
    +--+    +--+   +--+       +---------+  +--+              |           | |      |
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from kuzet.core.geometry import box_area, clip_boxes, expand_boxes, square_boxes
from kuzet.core.types import FloatArray, Motion

# Tracks are grown by this fraction of their size per side, at least this many pixels.
TRACK_MARGIN = 0.25
TRACK_MARGIN_PX = 16.0


class RegionPlanner:
    """Turns motion and live tracks into detector crops, with periodic full frames.

    Args:
        model_size: Detector input side in pixels; crops are squares at least this big.
        full_frame_interval: Seconds between forced full-frame passes.
        max_regions: More crops than this becomes a full-frame pass.
        max_area_ratio: Crops covering more than this fraction of the frame (summed)
            become a full-frame pass.

    Example:
        >>> planner = RegionPlanner(416, full_frame_interval=2.0)
        >>> plan = planner.plan(motion, tracker.live_boxes, (480, 640), frame.ts)  # doctest: +SKIP
        >>> plan.full_frame, plan.regions  # doctest: +SKIP
    """

    def __init__(
        self,
        model_size: int = 416,
        full_frame_interval: float = 2.0,
        max_regions: int = 4,
        max_area_ratio: float = 1.0,
    ) -> None:
        if model_size <= 0 or full_frame_interval <= 0 or max_regions < 1 or max_area_ratio <= 0:
            raise ValueError(
                "need model_size > 0, full_frame_interval > 0, max_regions >= 1, "
                f"max_area_ratio > 0; got {model_size}, {full_frame_interval}, "
                f"{max_regions}, {max_area_ratio}"
            )
        self.model_size = float(model_size)
        self.full_frame_interval = float(full_frame_interval)
        self.max_regions = max_regions
        self.max_area_ratio = max_area_ratio
        self._last_full: float | None = None

    def plan(
        self,
        motion: Motion,
        tracks_xyxy: npt.ArrayLike,
        frame_shape: tuple[int, int],
        ts: float,
    ) -> Motion:
        """Plan the detector's work for one frame.

        Args:
            motion: The motion detector's result (its ``boxes`` are used).
            tracks_xyxy: (T,4) boxes of live tracks in frame pixels.
            frame_shape: (height, width) of the frame.
            ts: The frame's timestamp in seconds (drives the full-frame interval).

        Returns:
            ``motion`` with ``regions`` (M,4) float32 square xyxy crops, or with
            ``full_frame`` True and ``regions`` the whole frame. M is 0 when
            there is nothing to look at.
        """
        h, w = int(frame_shape[0]), int(frame_shape[1])
        if self._full_frame_due(ts):
            return self._full(motion, h, w, ts)
        boxes = self._interesting(motion.boxes, tracks_xyxy, (h, w))
        if boxes.shape[0] == 0:
            return replace(motion, regions=np.zeros((0, 4), np.float32), full_frame=False)
        regions = square_boxes(self._cluster(boxes), (h, w), self.model_size)
        too_many = regions.shape[0] > self.max_regions
        if too_many or float(box_area(regions).sum()) > self.max_area_ratio * h * w:
            return self._full(motion, h, w, ts)
        return replace(motion, regions=regions, full_frame=False)

    def reset(self) -> None:
        """Make the next plan a full-frame pass."""
        self._last_full = None

    def _full_frame_due(self, ts: float) -> bool:
        last = self._last_full
        # ts going backwards (a new source) also restarts the schedule.
        return last is None or ts < last or ts - last >= self.full_frame_interval - 1e-6

    def _full(self, motion: Motion, h: int, w: int, ts: float) -> Motion:
        self._last_full = ts
        whole = np.array([[0, 0, w, h]], np.float32)
        return replace(motion, regions=whole, full_frame=True)

    def _interesting(
        self, motion_boxes: FloatArray, tracks_xyxy: npt.ArrayLike, shape: tuple[int, int]
    ) -> FloatArray:
        tracks = np.asarray(tracks_xyxy, np.float32).reshape(-1, 4)
        grown = expand_boxes(tracks, TRACK_MARGIN, TRACK_MARGIN_PX)
        boxes = clip_boxes(np.concatenate([motion_boxes.reshape(-1, 4), grown]), shape)
        keep = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        return boxes[keep]

    def _cluster(self, boxes: FloatArray) -> FloatArray:
        """Greedy merge: boxes join a cluster when they overlap it or their union
        still fits one model-size crop; repeated until nothing changes."""
        order = np.argsort(-box_area(boxes), kind="stable")
        clusters = [boxes[i].copy() for i in order]
        merged = True
        while merged and len(clusters) > 1:
            merged = False
            out: list[FloatArray] = []
            for box in clusters:
                for i, cluster in enumerate(out):
                    if self._joinable(cluster, box):
                        out[i] = _union(cluster, box)
                        merged = True
                        break
                else:
                    out.append(box)
            clusters = out
        return np.stack(clusters).astype(np.float32)

    def _joinable(self, a: FloatArray, b: FloatArray) -> bool:
        u = _union(a, b)
        fits = max(u[2] - u[0], u[3] - u[1]) <= self.model_size
        overlaps = min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])
        return bool(fits or overlaps)


def _union(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.array(
        [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])], np.float32
    )
