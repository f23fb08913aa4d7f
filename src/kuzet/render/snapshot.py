"""Evidence snapshots: the event's objects (and zone) drawn on the triggering frame, as JPEG."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from kuzet.core.types import Image
from kuzet.render.jpeg import encode_jpeg

_BOX_COLOUR = (0, 0, 255)  # BGR red: stands out on most street scenes
_TEXT_COLOUR = (255, 255, 255)
_ZONE_COLOUR = (0, 255, 255)  # BGR yellow
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def render_snapshot(
    image_bgr: Image,
    boxes_xyxy: npt.ArrayLike,
    labels: Sequence[str],
    zone_points_abs: npt.ArrayLike | None,
    quality: int = 85,
    max_width: int = 1280,
) -> bytes:
    """Draw the event's objects (and zone) on a copy of the frame; encode as JPEG.

    Args:
        image_bgr: HxWx3 uint8 BGR frame (not modified).
        boxes_xyxy: (N,4) pixel boxes of the objects involved.
        labels: N captions (e.g. ``"person #3"``).
        zone_points_abs: (K,2) zone polygon in pixels of ``image_bgr``, or None.
        quality: JPEG quality 1-100.
        max_width: Wider frames are scaled down to this width first.

    Returns:
        JPEG bytes.

    Raises:
        ValueError: Bad image, box or label shapes, or the JPEG encoder failed.

    Example:
        >>> jpeg = render_snapshot(np.zeros((48, 64, 3), np.uint8), [[4, 4, 20, 30]], ["car"], None)
        >>> jpeg[:2]
        b'\\xff\\xd8'
    """
    if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
        raise ValueError(f"image must be HxWx3 uint8, got {image_bgr.shape} {image_bgr.dtype}")
    boxes = np.asarray(boxes_xyxy, dtype=np.float64).reshape(-1, 4)
    if len(labels) != len(boxes):
        raise ValueError(f"expected {len(boxes)} labels (one per box), got {len(labels)}")
    width = image_bgr.shape[1]
    scale = min(1.0, max_width / width) if max_width > 0 else 1.0
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(image_bgr.shape[0] * scale)))
        resized = cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA)
        canvas: Image = np.ascontiguousarray(resized, dtype=np.uint8)
    else:
        canvas = image_bgr.copy()
    if zone_points_abs is not None:
        _draw_zone(canvas, np.asarray(zone_points_abs, dtype=np.float64).reshape(-1, 2) * scale)
    for box, label in zip(boxes * scale, labels, strict=True):
        _draw_box(canvas, box, str(label))
    return encode_jpeg(canvas, quality)


def _draw_zone(canvas: Image, points: npt.NDArray[np.float64]) -> None:
    if len(points) < 2:
        return
    poly = np.round(points).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(canvas, [poly], isClosed=True, color=_ZONE_COLOUR, thickness=2)


def _draw_box(canvas: Image, box: npt.NDArray[np.float64], label: str) -> None:
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    thickness = max(2, canvas.shape[1] // 400)
    cv2.rectangle(canvas, (x1, y1), (x2, y2), _BOX_COLOUR, thickness)
    if not label:
        return
    font_scale = max(0.4, canvas.shape[1] / 1600)
    (tw, th), base = cv2.getTextSize(label, _FONT, font_scale, 1)
    top = y1 - th - base - 4 if y1 - th - base - 4 >= 0 else y1  # above the box if it fits
    cv2.rectangle(canvas, (x1, top), (x1 + tw + 4, top + th + base + 4), _BOX_COLOUR, -1)
    cv2.putText(
        canvas, label, (x1 + 2, top + th + 2), _FONT, font_scale, _TEXT_COLOUR, 1, cv2.LINE_AA
    )
