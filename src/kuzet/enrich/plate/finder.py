"""Licence-plate localisation: plate-like text regions inside vehicle boxes (no reading).

Only PP-OCRv4's text *detector* runs (no recognition: a plate need not be read
to be blurred). Candidates are kept by geometry: aspect 1.5-7, centred in the
lower two thirds of the vehicle box, and of a plausible size for a plate on
that vehicle. The filters are permissive on purpose: a blurred sticker costs
nothing, a readable plate is a privacy failure.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from kuzet.core.types import FloatArray, Image
from kuzet.models.paths import model_file

MIN_ASPECT = 1.5
MAX_ASPECT = 7.0
MIN_WIDTH_SHARE = 0.04  # of the vehicle width
MAX_WIDTH_SHARE = 0.75
MAX_HEIGHT_SHARE = 0.35  # of the vehicle height
CROP_MIN_WIDTH = 320  # vehicle crops are upscaled to at least this width (x3 at most)
MAX_UPSCALE = 3.0


def plate_filter(boxes: FloatArray, vehicle: FloatArray) -> FloatArray:
    """Keep the text boxes (frame pixels) that could be a plate of ``vehicle``.

    Args:
        boxes: (N,4) xyxy text boxes in frame pixels.
        vehicle: (4,) xyxy vehicle box.

    Returns:
        The kept (M,4) boxes.

    Example:
        >>> plate_filter(np.array([[40, 70, 70, 80]], np.float32),
        ...              np.array([0, 0, 100, 100], np.float32)).shape
        (1, 4)
    """
    vw, vh = float(vehicle[2] - vehicle[0]), float(vehicle[3] - vehicle[1])
    bw, bh = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    aspect = bw / np.maximum(bh, 1e-6)
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    keep = (
        (aspect >= MIN_ASPECT)
        & (aspect <= MAX_ASPECT)
        & (bw >= MIN_WIDTH_SHARE * vw)
        & (bw <= MAX_WIDTH_SHARE * vw)
        & (bh <= MAX_HEIGHT_SHARE * vh)
        & (cy >= vehicle[1] + vh / 3)
    )
    kept: FloatArray = boxes[keep].astype(np.float32)
    return kept


class PlateFinder:
    """Plate-like text regions inside vehicle boxes.

    Example:
        >>> PlateFinder().find(frame, vehicles_xyxy)  # doctest: +SKIP
        array([[412., 300., 470., 316.]], dtype=float32)
    """

    def __init__(self, threads: int = 1, min_score: float = 0.4) -> None:
        """Load the PP-OCRv4 text detector once.

        Args:
            threads: ONNX Runtime intra-op threads.
            min_score: DB box score threshold.

        Raises:
            ModelError: RapidOCR (which ships the model) is not installed.
        """
        from rapidocr_onnxruntime.ch_ppocr_det import TextDetector

        config: dict[str, Any] = {
            "model_path": str(model_file("ppocr-det")),
            "intra_op_num_threads": threads,
            "inter_op_num_threads": 1,
            "use_cuda": False,
            "use_dml": False,
            "limit_side_len": 960,
            "limit_type": "max",
            "mean": [0.5, 0.5, 0.5],
            "std": [0.5, 0.5, 0.5],
            "thresh": 0.3,
            "box_thresh": min_score,
            "max_candidates": 100,
            "unclip_ratio": 1.6,
            "use_dilation": True,
            "score_mode": "fast",
        }
        self._det: Any = TextDetector(config)

    def _text_boxes(self, crop: Image) -> FloatArray:
        h, w = crop.shape[:2]
        scale = min(MAX_UPSCALE, max(1.0, CROP_MIN_WIDTH / max(w, 1)))
        if scale > 1.0:
            crop = np.asarray(cv2.resize(crop, (round(w * scale), round(h * scale))), np.uint8)
        polys, _elapsed = self._det(crop)
        if polys is None or len(polys) == 0:
            return np.zeros((0, 4), np.float32)
        pts = np.asarray(polys, np.float32).reshape(-1, 4, 2) / scale
        return np.concatenate([pts.min(axis=1), pts.max(axis=1)], axis=1).astype(np.float32)

    def text_boxes(self, image: Image) -> FloatArray:
        """Every text box (frame pixels) in a whole image: plate candidates where no
        vehicle boxes are known, e.g. recorded video (blurring all text fails closed)."""
        return self._text_boxes(np.ascontiguousarray(image))

    def find(self, image: Image, vehicles_xyxy: FloatArray) -> FloatArray:
        """Plate boxes (frame pixels) inside the lower two thirds of each vehicle box."""
        h, w = image.shape[:2]
        found: list[FloatArray] = []
        for vehicle in np.asarray(vehicles_xyxy, np.float32).reshape(-1, 4):
            x1, x2 = int(max(0, vehicle[0])), int(min(w, vehicle[2]))
            y1 = int(max(0, vehicle[1] + (vehicle[3] - vehicle[1]) / 3))
            y2 = int(min(h, vehicle[3]))
            if x2 - x1 < 8 or y2 - y1 < 4:
                continue
            boxes = self._text_boxes(np.ascontiguousarray(image[y1:y2, x1:x2]))
            boxes += np.array([x1, y1, x1, y1], np.float32)
            found.append(plate_filter(boxes, vehicle))
        return np.concatenate(found) if found else np.zeros((0, 4), np.float32)
