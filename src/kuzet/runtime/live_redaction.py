"""Redacted live frames: regions found in the camera worker, blur applied once per frame.

The camera worker already has the tracked boxes, so it finds the regions to hide
(faces inside person boxes, head regions, plates inside vehicle boxes) only while
someone watches, and ships them with the annotated JPEG. The supervisor makes the
redacted JPEG lazily, once per frame sequence number, and every masked viewer
shares it. A frame whose regions could not be computed is blurred whole (fail
closed: a masked viewer never gets the raw frame).
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from kuzet.core.types import Detections, FloatArray, Image
from kuzet.detect.base import PERSON_NAMES, VEHICLE_NAMES
from kuzet.privacy.redaction import Redactor, Regions, head_regions
from kuzet.render.blur import pixelate
from kuzet.render.jpeg import decode_jpeg, encode_jpeg
from kuzet.runtime.messages import LiveFrame

log = logging.getLogger(__name__)

def people_and_vehicles(dets: Detections) -> tuple[FloatArray, FloatArray]:
    """Person boxes and vehicle boxes of ``dets`` (classes told apart by name)."""
    if not len(dets):
        return np.zeros((0, 4), np.float32), np.zeros((0, 4), np.float32)
    labels = np.asarray(dets.labels, dtype=object)
    people = dets.xyxy[np.isin(labels, list(PERSON_NAMES))]
    vehicles = dets.xyxy[np.isin(labels, list(VEHICLE_NAMES))]
    return people.astype(np.float32), vehicles.astype(np.float32)


def live_regions(redactor: Redactor, image: Image, dets: Detections) -> Regions | None:
    """Regions to hide in a live frame, or None when they could not be computed.

    Falls back to the head regions of every person when the models fail (the
    camera process must keep running); None only if even that fails.
    """
    people, vehicles = people_and_vehicles(dets)
    try:
        return redactor.find(image, people, vehicles)
    except Exception:  # process boundary: a model failure must not stop the camera
        log.exception("redaction failed; blurring head regions only")
    try:
        return Regions.of("head", head_regions(people, redactor.config.head_fraction))
    except ValueError:
        return None


def blur_whole(jpeg: bytes, quality: int = 70) -> bytes:
    """The frame pixelated beyond recognition (fail-closed redaction)."""
    return encode_jpeg(pixelate(decode_jpeg(jpeg)), quality)


class SharedRedaction:
    """Per camera, the redacted JPEG of the newest live frame, made once and shared.

    Example:
        >>> cache = SharedRedaction(margin=0.25)
        >>> cache.redacted("gate", frame)  # doctest: +SKIP
    """

    def __init__(self, margin: float = 0.25, quality: int = 70) -> None:
        """Blur with ``margin`` (share of each box per side), encode at ``quality``."""
        self.margin = margin
        self.quality = quality
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[int, bytes]] = {}
        self.renders = 0  # how many redacted JPEGs were made (tests, metrics)

    def redacted(self, camera_id: str, frame: LiveFrame) -> bytes:
        """The redacted JPEG of ``frame`` (computed on first request for its seq)."""
        with self._lock:
            cached = self._cache.get(camera_id)
            if cached is not None and cached[0] == frame.seq:
                return cached[1]
            if frame.regions is None:
                jpeg = blur_whole(frame.jpeg, self.quality)
            elif len(frame.regions) == 0:
                jpeg = frame.jpeg
            else:
                from kuzet.privacy.redaction import blur_regions

                image = blur_regions(decode_jpeg(frame.jpeg), frame.regions, self.margin)
                jpeg = encode_jpeg(image, self.quality)
            self._cache[camera_id] = (frame.seq, jpeg)
            self.renders += 1
            return jpeg
