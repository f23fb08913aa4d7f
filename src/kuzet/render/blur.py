"""Irreversible blurring of boxes: pixelate to a few cells, then a strong Gaussian blur."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from kuzet.core.types import Image

PIXEL_CELLS = 6  # a blurred box keeps at most ~6x6 colour cells


def pixelate(image: Image, cell: int = 24) -> Image:
    """The whole image as blocks of ``cell`` x ``cell`` pixels (nothing recognisable).

    Args:
        image: HxWx3 uint8 BGR (not modified).
        cell: Side of one block in pixels.

    Returns:
        The pixelated copy, same size.

    Example:
        >>> pixelate(np.zeros((48, 64, 3), np.uint8)).shape
        (48, 64, 3)
    """
    h, w = image.shape[:2]
    small = cv2.resize(image, (max(1, w // cell), max(1, h // cell)), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST), np.uint8)


def blur_boxes(image: Image, boxes_xyxy: npt.ArrayLike, margin: float = 0.25) -> Image:
    """A copy of ``image`` with every box pixelated and blurred (beyond recovery).

    Args:
        image: HxWx3 uint8 BGR (not modified).
        boxes_xyxy: (N,4) boxes in ``image`` pixels.
        margin: Each box grows by this share of its size on every side.

    Returns:
        The blurred copy.

    Example:
        >>> img = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
        >>> out = blur_boxes(img, np.array([[16, 16, 48, 48]]))
        >>> bool((out[:4, :4] == img[:4, :4]).all())
        True
    """
    out = image.copy()
    h, w = out.shape[:2]
    for x1, y1, x2, y2 in np.asarray(boxes_xyxy, np.float32).reshape(-1, 4):
        mx, my = (x2 - x1) * margin, (y2 - y1) * margin
        a, b = int(max(0, np.floor(x1 - mx))), int(max(0, np.floor(y1 - my)))
        c, d = int(min(w, np.ceil(x2 + mx))), int(min(h, np.ceil(y2 + my)))
        if c - a < 2 or d - b < 2:
            continue
        patch = out[b:d, a:c]
        cells = (max(1, min(PIXEL_CELLS, c - a)), max(1, min(PIXEL_CELLS, d - b)))
        small = cv2.resize(patch, cells, interpolation=cv2.INTER_AREA)
        coarse = cv2.resize(small, (c - a, d - b), interpolation=cv2.INTER_NEAREST)
        k = max(3, (min(c - a, d - b) // 2) | 1)
        out[b:d, a:c] = cv2.GaussianBlur(coarse, (k, k), 0)
    return out
