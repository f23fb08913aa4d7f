"""Tiled detection for dense scenes: overlapping tiles plus the full frame.

One 416-pixel pass over a 1024x768 crowd photo shrinks a distant person to a
few pixels, below what the detector resolves. ``detect_tiled`` also scans
overlapping square tiles (each resized to the model input, so zoomed in) and
merges everything with NMS::

    +-------+---+-------+      full frame  (catches people larger than a tile)
    | tile  |ovl| tile  |      + tiles      (catch small, distant people)
    +-------+---+-------+      -> drop boxes cut by an inner tile edge
    | tile  |ovl| tile  |      -> class-aware NMS
    +-------+---+-------+

A person cut by a tile's inner edge is seen whole in the neighbouring tile (the
overlap is wider than a small person) or in the full frame, so boxes touching
an inner tile edge are dropped before the merge instead of being counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kuzet.core.types import Detections, FloatArray, Image
from kuzet.detect.base import ObjectDetector
from kuzet.detect.postprocess import batched_nms

# Pixels of slack when deciding that a box touches a tile edge.
_EDGE_SLACK = 2.0
# A box this much inside another (intersection / its area) with widths this
# close and tops aligned is a partial view of the same object.
_NESTED = 0.8
_SAME_WIDTH = 0.75


@dataclass(frozen=True)
class TileSpec:
    """How a frame is cut into tiles.

    Attributes:
        grids: Tiles per image side for each scale, e.g. ``(2,)`` = one 2x2 grid,
            ``(2, 3)`` = a 2x2 and a 3x3 grid. ``()`` = full frame only.
        overlap: Fraction of a tile shared with its neighbour (0-0.5).
        full_frame: Also run one pass over the whole frame.
        iou: IoU above which merged boxes of one class are duplicates.
    """

    grids: tuple[int, ...] = (2,)
    overlap: float = 0.25
    full_frame: bool = True
    iou: float = 0.5

    def __post_init__(self) -> None:
        if any(g < 1 for g in self.grids):
            raise ValueError(f"TileSpec.grids must be >= 1, got {self.grids}")
        if not 0.0 <= self.overlap <= 0.5:
            raise ValueError(f"TileSpec.overlap must be in [0, 0.5], got {self.overlap}")
        if not self.grids and not self.full_frame:
            raise ValueError("TileSpec needs grids, full_frame or both")


FULL_FRAME = TileSpec(grids=(), full_frame=True)
DEFAULT_TILES = TileSpec()


def tile_boxes(shape: tuple[int, int], grid: int, overlap: float) -> FloatArray:
    """Square-ish overlapping tiles covering a frame.

    Args:
        shape: (height, width) of the frame.
        grid: Tiles along the longer side; the shorter side gets as many as it
            needs for tiles of the same size.
        overlap: Fraction of a tile shared with its neighbour.

    Returns:
        (M,4) xyxy tiles in frame pixels, all inside the frame.

    Example:
        >>> tile_boxes((100, 200), 2, 0.0).tolist()
        [[0.0, 0.0, 100.0, 100.0], [100.0, 0.0, 200.0, 100.0]]
    """
    h, w = shape
    side = max(h, w) / (grid - (grid - 1) * overlap)
    side = min(side, float(h), float(w)) if grid > 1 else float(max(h, w))
    xs = _starts(w, side, grid if w >= h else 0)
    ys = _starts(h, side, grid if h > w else 0)
    tiles = [[x, y, min(x + side, w), min(y + side, h)] for y in ys for x in xs]
    return np.asarray(tiles, dtype=np.float32).reshape(-1, 4)


def _starts(length: int, side: float, count: int) -> list[float]:
    # Evenly spread tile origins so the first starts at 0 and the last ends at
    # the frame edge; count 0 = as few as cover the side.
    if side >= length:
        return [0.0]
    if count <= 1:
        count = int(np.ceil(length / side))
        count = max(count, 2)
    step = (length - side) / (count - 1)
    return [round(i * step, 1) for i in range(count)]


def _inner_edge_mask(boxes: FloatArray, tile: FloatArray, shape: tuple[int, int]) -> np.ndarray:
    # True where a box touches an edge of the tile that is not the frame's edge.
    h, w = shape
    x1, y1, x2, y2 = (float(v) for v in tile)
    s = _EDGE_SLACK
    cut = np.zeros(len(boxes), dtype=bool)
    if x1 > s:
        cut |= boxes[:, 0] <= x1 + s
    if y1 > s:
        cut |= boxes[:, 1] <= y1 + s
    if x2 < w - s:
        cut |= boxes[:, 2] >= x2 - s
    if y2 < h - s:
        cut |= boxes[:, 3] >= y2 - s
    return cut


def detect_tiled(
    image: Image, detector: ObjectDetector, *, tiles: TileSpec = DEFAULT_TILES
) -> Detections:
    """Detect on the full frame and on overlapping tiles, merged with NMS.

    Args:
        image: HxWx3 BGR frame.
        detector: Any ``ObjectDetector`` (its own score threshold applies).
        tiles: Grids, overlap, full-frame pass and merge IoU.

    Returns:
        Detections in frame pixels, one row per object.

    Example:
        >>> dets = detect_tiled(img, load_object_detector("nanodet"))  # doctest: +SKIP
    """
    shape = (int(image.shape[0]), int(image.shape[1]))
    parts = [detector.detect(image, None)] if tiles.full_frame else []
    for grid in tiles.grids:
        for tile in tile_boxes(shape, grid, tiles.overlap):
            found = detector.detect(image, tile[None, :])
            if len(found):
                parts.append(found[~_inner_edge_mask(found.xyxy, tile, shape)])
    merged = Detections.merge(parts)
    if not len(merged):
        return Detections.empty(detector.info.class_names)
    kept = merged[batched_nms(merged.xyxy, merged.score, merged.class_id, tiles.iou)]
    kept = kept[~_partial_duplicates(kept)]
    return kept.with_columns(class_names=detector.info.class_names)


def _partial_duplicates(dets: Detections) -> np.ndarray:
    # A pass that sees only part of a person (upper body in a tile, whole body
    # in the full frame) yields a second box nested in the first with the same
    # width and top; plain IoU NMS keeps both. A person standing behind another
    # is narrower or offset, so nesting alone is not enough to drop a box.
    boxes, drop = dets.xyxy, np.zeros(len(dets), dtype=bool)
    for i in range(len(dets)):  # rows are ordered by score, best first
        for j in range(i):
            if drop[j] or dets.class_id[i] != dets.class_id[j]:
                continue
            if _nested_same_width(boxes[i], boxes[j]):
                drop[i] = True
                break
    return drop


def _nested_same_width(a: FloatArray, b: FloatArray) -> bool:
    inter_w = min(a[2], b[2]) - max(a[0], b[0])
    inter_h = min(a[3], b[3]) - max(a[1], b[1])
    if inter_w <= 0 or inter_h <= 0:
        return False
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    smaller = min(area_a, area_b)
    widths = sorted((float(a[2] - a[0]), float(b[2] - b[0])))
    tops_close = abs(float(a[1] - b[1])) <= 0.1 * max(float(a[3] - a[1]), float(b[3] - b[1]))
    return bool(
        inter_w * inter_h / smaller > _NESTED and widths[0] / widths[1] > _SAME_WIDTH and tops_close
    )


def count_people(
    image: Image,
    detector: ObjectDetector,
    *,
    tiles: TileSpec = DEFAULT_TILES,
    min_score: float = 0.0,
) -> int:
    """Number of people in an image (tiled detection, class ``person`` only).

    Args:
        image: HxWx3 BGR frame.
        detector: An ``ObjectDetector`` with a ``person`` class.
        tiles: Tiling; ``FULL_FRAME`` for a single pass.
        min_score: Extra score floor on top of the detector's own threshold.

    Returns:
        The number of person boxes after the merge.

    Raises:
        ValueError: The detector has no ``person`` class.
    """
    names = detector.info.class_names
    if "person" not in names:
        raise ValueError(f"detector has no 'person' class: {names[:5]}...")
    dets = detect_tiled(image, detector, tiles=tiles)
    person = names.index("person")
    return int(np.count_nonzero((dets.class_id == person) & (dets.score >= min_score)))
