"""Run a full-image detector on square regions of a frame and merge the results.

Small objects need zoomed crops, not full-frame passes (see DESIGN.md): each
region is cut out (padded with gray where it leaves the frame), detected on as
if it were a whole image, and its boxes are shifted back to frame pixels.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kuzet.core.types import Detections, FloatArray, Image
from kuzet.detect.base import DetectorOptions
from kuzet.detect.postprocess import PAD_VALUE, clip_boxes, finish


def check_regions(regions: FloatArray) -> FloatArray:
    """Validate (M,4) xyxy regions.

    Raises:
        ValueError: Wrong shape or empty/inverted boxes.
    """
    arr = np.asarray(regions, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"regions must have shape (M, 4), got {arr.shape}")
    if np.any(arr[:, 2] <= arr[:, 0]) or np.any(arr[:, 3] <= arr[:, 1]):
        raise ValueError("regions must be xyxy with x2 > x1 and y2 > y1")
    return arr


def extract_region(image: Image, box: FloatArray) -> tuple[Image, int, int]:
    """Cut ``box`` out of the image, padding with gray where it leaves the frame.

    Returns:
        The crop and its top-left corner (x, y) in frame pixels.
    """
    h, w = image.shape[:2]
    x1, y1, x2, y2 = (int(round(float(v))) for v in box)
    crop = np.full((y2 - y1, x2 - x1, image.shape[2]), PAD_VALUE, dtype=image.dtype)
    sx1, sy1, sx2, sy2 = max(x1, 0), max(y1, 0), min(x2, w), min(y2, h)
    if sx2 > sx1 and sy2 > sy1:
        crop[sy1 - y1:sy2 - y1, sx1 - x1:sx2 - x1] = image[sy1:sy2, sx1:sx2]
    return crop, x1, y1


def detect_in_regions(
    run: Callable[[Image], Detections],
    image: Image,
    regions: FloatArray,
    options: DetectorOptions,
    class_names: tuple[str, ...],
) -> Detections:
    """Detect in each region with ``run`` and merge with NMS.

    Args:
        run: Detects on a whole image (the detector's full-frame path).
        image: The frame (HxWx3 BGR).
        regions: (M,4) xyxy crops.
        options: NMS settings for the merge.
        class_names: Class names of the result.

    Returns:
        Detections in frame pixels, duplicates across overlapping regions removed.
    """
    parts = []
    h, w = image.shape[:2]
    for box in check_regions(regions):
        crop, x0, y0 = extract_region(image, box)
        found = run(crop)
        if len(found):
            shifted = found.xyxy + np.array([x0, y0, x0, y0], np.float32)
            parts.append(found.with_columns(xyxy=clip_boxes(shifted, w, h)))
    merged = Detections.merge(parts)
    if not len(merged):
        return Detections.empty(class_names)
    return finish(merged.xyxy, merged.score, merged.class_id, options, class_names)
