"""Finding faces where CenterFace alone would miss them: small people, small images.

Faces of people far from the camera are a few pixels wide; the detector finds
them in an upscaled crop of the upper person box (:func:`faces_in_person`).
Small whole images are upscaled x2 first (:func:`faces_in_image`). Used by
face identity (:mod:`kuzet.enrich.face.tracker`) and by redaction
(:mod:`kuzet.privacy.redaction`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from kuzet.core.types import Detections, FloatArray, Image

if TYPE_CHECKING:
    from kuzet.enrich.face.detector import FaceDetector

CROP_TARGET_WIDTH = 128  # head crops of small people are upscaled to about this width
MAX_CROP_UPSCALE = 4.0
SMALL_IMAGE_SIDE = 640  # whole images smaller than this are upscaled x2 for faces


def faces_in_person(detector: FaceDetector, image: Image, person: FloatArray) -> Detections:
    """Faces (with landmarks) in the upper part of one person box, in ``image`` pixels.

    The upper half of the box, widened (boxes often clip the head), is cropped and
    upscaled to about ``CROP_TARGET_WIDTH`` so that small faces are found.

    Args:
        detector: A CenterFace detector.
        image: HxWx3 uint8 BGR.
        person: (4,) person box xyxy.

    Returns:
        Face detections with ``attrs["landmarks"]`` (N,5,2) in ``image`` pixels.
    """
    h, w = image.shape[:2]
    pw, ph = person[2] - person[0], person[3] - person[1]
    x1, x2 = int(max(0, person[0] - 0.15 * pw)), int(min(w, person[2] + 0.15 * pw))
    y1, y2 = int(max(0, person[1] - 0.1 * ph)), int(min(h, person[1] + 0.55 * ph))
    if x2 - x1 < 4 or y2 - y1 < 4:
        return Detections.empty(detector.class_names)
    crop = image[y1:y2, x1:x2]
    scale = min(MAX_CROP_UPSCALE, max(1.0, CROP_TARGET_WIDTH / (x2 - x1)))
    if scale > 1.0:
        size = (round((x2 - x1) * scale), round((y2 - y1) * scale))
        crop = np.asarray(cv2.resize(crop, size), np.uint8)
    found = detector.detect(np.ascontiguousarray(crop))
    shift = np.array([x1, y1], np.float32)
    landmarks = np.asarray(found.attrs["landmarks"], np.float32) / scale + shift
    return found.with_columns(
        xyxy=(found.xyxy / scale + np.tile(shift, 2)).astype(np.float32),
        attrs={"landmarks": landmarks.astype(np.float32)},
    )


def faces_in_image(detector: FaceDetector, image: Image) -> FloatArray:
    """Face boxes in a whole image (upscaled x2 first when smaller than ``SMALL_IMAGE_SIDE``).

    Args:
        detector: A CenterFace detector.
        image: HxWx3 uint8 BGR.

    Returns:
        (N,4) float32 face boxes in ``image`` pixels.
    """
    h, w = image.shape[:2]
    if max(h, w) >= SMALL_IMAGE_SIDE:
        return detector.detect(image).xyxy
    big = np.asarray(cv2.resize(image, (w * 2, h * 2)), np.uint8)
    return (detector.detect(big).xyxy / 2).astype(np.float32)
