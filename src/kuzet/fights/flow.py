"""Dense optical flow between consecutive analysis frames, summarised per frame.

Flow is computed with OpenCV's DIS (fast preset) on a gray frame scaled to a
fixed width (:data:`FLOW_WIDTH`), so the numbers do not depend on the source
size. The median flow vector is subtracted first (a cheap camera-motion
compensation). Magnitudes are expressed in *frame heights per second* (global
measures) or *person heights per second* (inside person boxes), so they do not
depend on the resolution or on the frame rate either.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from kuzet.core.types import FloatArray, Image

FLOW_WIDTH = 224
# Pixels moving faster than this (frame heights per second) count as moving.
MOVING = 0.06
ANGLE_BINS = 8
GRID = 4
NAN = float("nan")
BLOBS = 4  # largest motion blobs examined

FLOW_NAMES: tuple[str, ...] = (
    "flow_mean",  # mean magnitude over the frame (frame heights/s)
    "flow_p90",  # 90th percentile magnitude
    "flow_moving",  # fraction of moving pixels
    "flow_entropy",  # direction entropy of moving pixels (0..1, magnitude weighted)
    "flow_cell_max",  # mean magnitude of the busiest cell of a 4x4 grid
    "flow_cell_entropy",  # direction entropy inside that cell
    "flow_cell_entropy_max",  # highest direction entropy among moving cells
    "person_flow_mean",  # mean motion inside person boxes against the box's own flow
    "person_flow_max",  # highest of those (person heights/s)
    "person_flow_entropy",  # highest per-person direction entropy of moving pixels
    "blob_internal",  # motion blobs: highest motion against the blob's own mean flow,
    #                   in blob heights/s (pose-free; a blob translating as one scores low)
    "blob_entropy",  # direction entropy of that blob
    "blob_coherence",  # |mean vector| / mean magnitude of that blob (1 = moves as one)
)


def _entropy(hist: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """Normalised (0..1) entropy of histograms along the last axis; 0 when empty."""
    hist = np.asarray(hist, np.float64)
    total = hist.sum(axis=-1, keepdims=True)
    p = np.divide(hist, total, out=np.zeros_like(hist), where=total > 0)
    logs = np.log(p, out=np.zeros_like(p), where=p > 0)
    result: npt.NDArray[np.float64] = -(p * logs).sum(axis=-1) / math.log(hist.shape[-1])
    return result


class FlowMeter:
    """Flow statistics of each frame against the previous one.

    Example:
        >>> meter = FlowMeter()
        >>> row = meter.measure(frame.image, 0.1, boxes)  # doctest: +SKIP
        >>> dict(zip(FLOW_NAMES, row))  # doctest: +SKIP
    """

    def __init__(self, width: int = FLOW_WIDTH) -> None:
        self.width = width
        self._prev: Image | None = None
        self._dis: Any = None

    def reset(self) -> None:
        """Forget the previous frame."""
        self._prev = None

    def measure(self, image: Image, dt: float, boxes: FloatArray) -> FloatArray:
        """Flow summary of ``image`` against the previous frame given to this meter.

        Args:
            image: HxWx3 BGR frame (any size).
            dt: Seconds since the previous frame.
            boxes: (N,4) xyxy person boxes in ``image`` pixels.

        Returns:
            (len(FLOW_NAMES),) float32 row; NaN on the first frame (or after a
            size change or a non-positive ``dt``).
        """
        import cv2

        h, w = image.shape[:2]
        fh = max(8, round(h * self.width / w))
        gray: Image = np.asarray(cv2.cvtColor(
            cv2.resize(image, (self.width, fh), interpolation=cv2.INTER_AREA),
            cv2.COLOR_BGR2GRAY), np.uint8)
        prev, self._prev = self._prev, gray
        if prev is None or prev.shape != gray.shape or dt <= 0:
            return np.full(len(FLOW_NAMES), np.nan, np.float32)
        if self._dis is None:
            self._dis = cv2.DISOpticalFlow_create(  # type: ignore[attr-defined]
                cv2.DISOPTICAL_FLOW_PRESET_FAST)
        flow = self._dis.calc(prev, gray, None)
        flow -= np.median(flow.reshape(-1, 2), axis=0)
        scale = 1.0 / (dt * fh)
        mag = np.hypot(flow[..., 0], flow[..., 1]) * scale
        bins = ((np.arctan2(flow[..., 1], flow[..., 0]) + math.pi)
                * (ANGLE_BINS / (2 * math.pi))).astype(np.int64) % ANGLE_BINS
        scaled = boxes * np.float32(self.width / w) if len(boxes) else boxes
        row = self._summarise(flow * scale, mag, bins, scaled)
        return np.asarray(row, np.float32)

    def _summarise(
        self, flow: npt.NDArray[np.float32], mag: npt.NDArray[np.float32],
        bins: npt.NDArray[np.int64], boxes: FloatArray,
    ) -> list[float]:
        fh = mag.shape[0]
        moving = mag > MOVING
        weights = np.where(moving, mag, 0.0).astype(np.float64)
        flat = mag.ravel()
        p90 = float(np.partition(flat, int(0.9 * (flat.size - 1)))[int(0.9 * (flat.size - 1))])
        glob = np.bincount(bins.ravel(), weights.ravel(), ANGLE_BINS)
        # Per-cell direction histograms of a GRID x GRID grid, in one bincount.
        rows = (np.arange(fh) * GRID // fh)[:, None]
        cols = (np.arange(self.width) * GRID // self.width)[None, :]
        cell_id = np.broadcast_to(rows * GRID + cols, mag.shape).ravel()
        cells = np.bincount(cell_id * ANGLE_BINS + bins.ravel(), weights.ravel(),
                            GRID * GRID * ANGLE_BINS).reshape(GRID * GRID, ANGLE_BINS)
        counts = np.bincount(cell_id, minlength=GRID * GRID)
        cell_mag = np.bincount(cell_id, mag.ravel(), GRID * GRID)
        cell_mean = cell_mag / np.maximum(counts, 1)
        cell_ent = _entropy(cells)
        busiest = int(np.argmax(cell_mean))
        active = cell_mean > MOVING
        out = [float(mag.mean()), p90, float(moving.mean()), float(_entropy(glob)),
               float(cell_mean[busiest]), float(cell_ent[busiest]),
               float(cell_ent[active].max()) if active.any() else NAN]
        return out + _people(flow, bins, weights, boxes) + _blobs(flow, mag, bins, moving)


def _people(
    flow: npt.NDArray[np.float32], bins: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64], boxes: FloatArray,
) -> list[float]:
    """Motion inside each person box *relative to the box's mean flow* (so a person
    walking past barely registers, limbs moving against the body do), per person
    height per second, and the highest per-person direction entropy."""
    fh, fw = flow.shape[:2]
    if len(boxes) == 0:
        return [0.0, 0.0, 0.0]
    per_person: list[float] = []
    entropies: list[float] = []
    for x1, y1, x2, y2 in np.round(boxes).astype(int):
        x1, x2 = max(0, x1), min(fw, max(x2, x1 + 1))
        y1, y2 = max(0, y1), min(fh, max(y2, y1 + 1))
        if x1 >= fw or y1 >= fh:
            continue
        height = max(y2 - y1, 0.05 * fh) / fh
        box = flow[y1:y2, x1:x2].reshape(-1, 2)
        internal = np.hypot(*(box - box.mean(axis=0)).T).mean()
        per_person.append(float(internal) / height)
        hist = np.bincount(bins[y1:y2, x1:x2].ravel(), weights[y1:y2, x1:x2].ravel(),
                           ANGLE_BINS)
        entropies.append(float(_entropy(hist)))
    if not per_person:
        return [0.0, 0.0, 0.0]
    return [float(np.mean(per_person)), max(per_person), max(entropies)]


def _blobs(
    flow: npt.NDArray[np.float32], mag: npt.NDArray[np.float32], bins: npt.NDArray[np.int64],
    moving: npt.NDArray[np.bool_],
) -> list[float]:
    """Motion of the largest moving regions measured against their own mean flow.

    Works where pose finds nobody (small or occluded people): a walker or a car is
    a blob that translates as one; a scuffle is a blob whose parts move apart.
    """
    import cv2

    fh, fw = mag.shape
    mask = cv2.morphologyEx(moving.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    area = stats[1:, cv2.CC_STAT_AREA]
    order = [int(k) + 1 for k in np.argsort(-area)[:BLOBS] if area[k] >= 0.002 * fh * fw]
    if not order:
        return [0.0, NAN, NAN]
    best = (-1.0, NAN, NAN)
    for k in order:
        inside = labels == k
        vectors = flow[inside].astype(np.float64)
        height = max(float(stats[k, cv2.CC_STAT_HEIGHT]), 0.05 * fh) / fh
        mean = vectors.mean(axis=0)
        internal = float(np.hypot(*(vectors - mean).T).mean()) / height
        if internal > best[0]:
            speed = float(np.hypot(*vectors.T).mean())
            hist = np.bincount(bins[inside], mag[inside].astype(np.float64), ANGLE_BINS)
            best = (internal, float(_entropy(hist)), float(np.linalg.norm(mean)) / max(speed, 1e-9))
    return list(best)
