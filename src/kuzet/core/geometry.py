"""Vectorised geometry shared by motion, detection, tracking and rules.

Conventions:
    * Boxes are ``xyxy`` float32 arrays of shape (N,4) in absolute pixels.
    * Relative points are (x, y) in 0-1 of the frame width and height
      (the config's zones, lines and masks).
    * ``shape_hw`` is ``(height, width)``, as in ``Frame.shape``.
    * Pixel ``(col, row)`` covers ``[col, col+1) x [row, row+1)``; a point is
      inside a mask when the pixel it falls in is set.

Imports no other kuzet package.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

# fillPoly works on integers; 4 fractional bits keep sub-pixel vertex precision.
_SHIFT = 4


def _as_boxes(boxes: npt.ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(boxes, dtype=np.float32)
    if arr.size == 0:
        return np.zeros((0, 4), np.float32)
    if arr.ndim == 1 and arr.shape[0] == 4:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {arr.shape}")
    return arr


def _check_shape(shape_hw: Sequence[int]) -> tuple[int, int]:
    if len(shape_hw) < 2 or int(shape_hw[0]) <= 0 or int(shape_hw[1]) <= 0:
        raise ValueError(f"shape_hw must be (height, width) > 0, got {tuple(shape_hw)}")
    return int(shape_hw[0]), int(shape_hw[1])


def rel_to_abs(points_rel: npt.ArrayLike, shape_hw: Sequence[int]) -> FloatArray:
    """Scale relative (x, y) points to pixels of a frame.

    Args:
        points_rel: (K,2) points, each coordinate 0-1.
        shape_hw: (height, width) of the frame.

    Returns:
        (K,2) float32 pixel coordinates (x * width, y * height).

    Raises:
        ValueError: Points are not (K,2) or the shape is invalid.

    Example:
        >>> rel_to_abs([(0.5, 0.25)], (100, 200)).tolist()
        [[100.0, 25.0]]
    """
    h, w = _check_shape(shape_hw)
    pts = np.asarray(points_rel, dtype=np.float32)
    if pts.size == 0:
        return np.zeros((0, 2), np.float32)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"points_rel must have shape (K, 2), got {pts.shape}")
    return (pts * np.array([w, h], np.float32)).astype(np.float32)


def polygon_mask(points_rel: npt.ArrayLike, shape_hw: Sequence[int]) -> BoolArray:
    """Rasterise a relative polygon into a boolean mask of a frame size.

    Args:
        points_rel: (K,2) polygon vertices in 0-1 coordinates, K >= 3.
        shape_hw: (height, width) of the mask.

    Returns:
        (H,W) bool array, True inside the polygon (edges included).

    Raises:
        ValueError: Fewer than 3 vertices or an invalid shape.

    Example:
        >>> polygon_mask([(0, 0), (1, 0), (1, 1), (0, 1)], (4, 6)).all()
        np.True_
    """
    pts = rel_to_abs(points_rel, shape_hw)
    if pts.shape[0] < 3:
        raise ValueError(f"a polygon needs at least 3 points, got {pts.shape[0]}")
    return polygons_mask([points_rel], shape_hw)


def polygons_mask(polygons_rel: Sequence[npt.ArrayLike], shape_hw: Sequence[int]) -> BoolArray:
    """Union of several relative polygons as one boolean mask (all False when none).

    Args:
        polygons_rel: Polygons, each (K,2) in 0-1 coordinates.
        shape_hw: (height, width) of the mask.

    Returns:
        (H,W) bool array.
    """
    h, w = _check_shape(shape_hw)
    canvas = np.zeros((h, w), np.uint8)
    scale = float(1 << _SHIFT)
    # Pixel centres sit at +0.5; a vertex at x maps to the pixel edge x, so shift
    # by half a pixel so the polygon (0,0)-(1,1) covers every pixel.
    polys = [
        np.round((rel_to_abs(p, shape_hw) - 0.5) * scale).astype(np.int32).reshape(-1, 1, 2)
        for p in polygons_rel
    ]
    polys = [p for p in polys if p.shape[0] >= 3]
    if polys:
        cv2.fillPoly(canvas, polys, 1, lineType=cv2.LINE_8, shift=_SHIFT)
    return canvas.astype(bool)


def points_in_mask(mask: BoolArray, points_xy: npt.ArrayLike) -> BoolArray:
    """Which points fall on True pixels of a mask (vectorised).

    Args:
        mask: (H,W) bool mask.
        points_xy: (N,2) pixel points (x, y); points outside the mask are False.

    Returns:
        (N,) bool array.

    Raises:
        ValueError: The mask is not 2-D or the points are not (N,2).

    Example:
        >>> m = np.zeros((4, 4), bool); m[1, 2] = True
        >>> points_in_mask(m, [(2.5, 1.2), (0, 0), (-1, 9)]).tolist()
        [True, False, False]
    """
    if mask.ndim != 2:
        raise ValueError(f"mask must be 2-D (H, W), got shape {mask.shape}")
    pts = np.asarray(points_xy, dtype=np.float64)
    if pts.size == 0:
        return np.zeros(0, bool)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"points_xy must have shape (N, 2), got {pts.shape}")
    cols = np.floor(pts[:, 0]).astype(np.int64)
    rows = np.floor(pts[:, 1]).astype(np.int64)
    h, w = mask.shape
    inside = (cols >= 0) & (cols < w) & (rows >= 0) & (rows < h)
    out = np.zeros(pts.shape[0], bool)
    out[inside] = mask[rows[inside], cols[inside]]
    return out


def box_area(boxes: npt.ArrayLike) -> FloatArray:
    """(N,) areas of (N,4) xyxy boxes; inverted boxes have area 0."""
    arr = _as_boxes(boxes, "boxes")
    wh: FloatArray = np.clip(arr[:, 2:] - arr[:, :2], 0, None)
    area: FloatArray = (wh[:, 0] * wh[:, 1]).astype(np.float32)
    return area


def box_iou(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """Pairwise intersection over union.

    Args:
        a: (N,4) xyxy boxes.
        b: (M,4) xyxy boxes.

    Returns:
        (N,M) float32 IoU; 0 where the union is empty.

    Raises:
        ValueError: Inputs are not (N,4) / (M,4).

    Example:
        >>> box_iou([[0, 0, 2, 2]], [[1, 0, 3, 2], [5, 5, 6, 6]]).tolist()
        [[0.3333333432674408, 0.0]]
    """
    aa = _as_boxes(a, "a")
    bb = _as_boxes(b, "b")
    lt = np.maximum(aa[:, None, :2], bb[None, :, :2])
    rb = np.minimum(aa[:, None, 2:], bb[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(aa)[:, None] + box_area(bb)[None, :] - inter
    iou: FloatArray = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return iou.astype(np.float32)


def clip_boxes(boxes: npt.ArrayLike, shape_hw: Sequence[int]) -> FloatArray:
    """Clip (N,4) xyxy boxes to the frame ``[0, width] x [0, height]`` (a copy)."""
    h, w = _check_shape(shape_hw)
    arr = _as_boxes(boxes, "boxes").copy()
    arr[:, [0, 2]] = np.clip(arr[:, [0, 2]], 0, w)
    arr[:, [1, 3]] = np.clip(arr[:, [1, 3]], 0, h)
    return arr


def expand_boxes(boxes: npt.ArrayLike, fraction: float, min_pixels: float = 0.0) -> FloatArray:
    """Grow boxes on every side by ``fraction`` of their size (at least ``min_pixels``).

    Args:
        boxes: (N,4) xyxy boxes.
        fraction: Margin per side as a fraction of the box width/height.
        min_pixels: Smallest margin per side in pixels.

    Returns:
        (N,4) float32 expanded boxes (not clipped).
    """
    arr = _as_boxes(boxes, "boxes")
    wh = np.clip(arr[:, 2:] - arr[:, :2], 0, None)
    margin = np.maximum(wh * float(fraction), float(min_pixels))
    return np.concatenate([arr[:, :2] - margin, arr[:, 2:] + margin], axis=1).astype(np.float32)


def square_boxes(
    boxes: npt.ArrayLike, shape_hw: Sequence[int], min_side: float = 0.0
) -> FloatArray:
    """Square crops around boxes, moved inside the frame.

    Each square has side ``max(width, height, min_side)`` and is centred on the
    box, then shifted (not shrunk) so that it lies inside the frame. When the
    side exceeds a frame dimension the square is centred on the frame along that
    axis and overhangs both edges equally (the detector pads the overhang).

    Args:
        boxes: (N,4) xyxy boxes.
        shape_hw: (height, width) of the frame.
        min_side: Smallest side in pixels (e.g. the detector input size).

    Returns:
        (N,4) float32 square xyxy boxes.

    Example:
        >>> square_boxes([[0, 0, 10, 20]], (100, 100), min_side=40).tolist()
        [[0.0, 0.0, 40.0, 40.0]]
    """
    h, w = _check_shape(shape_hw)
    arr = _as_boxes(boxes, "boxes")
    side = np.maximum(np.maximum(arr[:, 2] - arr[:, 0], arr[:, 3] - arr[:, 1]), min_side)
    cx = (arr[:, 0] + arr[:, 2]) / 2
    cy = (arr[:, 1] + arr[:, 3]) / 2
    x1 = _fit_axis(cx - side / 2, side, w)
    y1 = _fit_axis(cy - side / 2, side, h)
    return np.stack([x1, y1, x1 + side, y1 + side], axis=1).astype(np.float32)


def _fit_axis(start: FloatArray, side: FloatArray, limit: int) -> FloatArray:
    # Shift each interval [start, start+side) inside [0, limit); centre it when too long.
    fitted = np.clip(start, 0, np.maximum(limit - side, 0))
    too_long = side > limit
    fitted = np.where(too_long, (limit - side) / 2, fitted)
    return fitted.astype(np.float32)


def union_box(boxes: npt.ArrayLike) -> FloatArray:
    """The (4,) xyxy box enclosing all (N,4) boxes, N >= 1.

    Raises:
        ValueError: No boxes.
    """
    arr = _as_boxes(boxes, "boxes")
    if arr.shape[0] == 0:
        raise ValueError("union_box needs at least one box, got 0")
    return np.array(
        [arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()], np.float32
    )
