"""Redacted live frames: regions found in the camera worker, blur applied once per frame.

Live redaction fails closed. While someone watches, the camera worker finds the
regions to hide in a frame from a detection pass of that very frame
(:func:`frame_regions`): faces and heads inside person boxes, plates inside
vehicle boxes (this frame's detections, and the tracker's boxes for objects
that stand still), and every moving area that no person or vehicle box of this
frame covers, pixelated in cells. A frame without a detection pass of its own
(detector dropped the request, or between detection frames), or whose models
failed, gets no regions: it is blurred whole. So an object that enters the
frame is hidden from its first frame on, before the tracker confirms it.

The supervisor makes the redacted JPEG lazily, once per frame sequence number,
and every masked viewer shares it; viewers with an unmask grant get the
annotated JPEG unchanged.
"""

from __future__ import annotations

import logging
import math
import threading

import numpy as np

from kuzet.core.types import Detections, FloatArray, Image, Motion
from kuzet.detect.base import PERSON_NAMES, VEHICLE_NAMES
from kuzet.privacy.redaction import Redactor, Regions, head_regions
from kuzet.render.blur import pixelate
from kuzet.render.jpeg import decode_jpeg, encode_jpeg
from kuzet.runtime.messages import LiveFrame

log = logging.getLogger(__name__)

MOTION_CELL_PX = 16  # moving areas no detection of the frame covers are pixelated in such cells
SAME_OBJECT_IOU = 0.5  # a tracked box this close to a fresh one is the same object

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


def _iou(a: FloatArray, b: FloatArray) -> FloatArray:
    """(N,M) intersection over union of boxes ``a`` and ``b``."""
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return np.asarray(inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-6))


def _union(fresh: FloatArray, held: FloatArray) -> FloatArray:
    """``fresh`` plus the ``held`` boxes that are not one of them (no double face pass)."""
    if not len(held) or not len(fresh):
        return np.concatenate([fresh, held]).astype(np.float32)
    other = _iou(held, fresh).max(axis=1) < SAME_OBJECT_IOU
    return np.concatenate([fresh, held[other]]).astype(np.float32)


def uncovered_motion(
    motion: Motion, covered: FloatArray, shape: tuple[int, int], cell: int = MOTION_CELL_PX
) -> FloatArray:
    """Moving areas of a frame that no ``covered`` box contains, as boxes of whole cells.

    The frame is cut into ``cell`` x ``cell`` squares; a square is kept when a
    motion box touches it and no covered box contains it entirely. Kept squares
    are returned as boxes: one per horizontal run, grown down over the rows
    below where the run is the same.

    Example:
        >>> m = Motion(np.array([[0, 0, 64, 32]], np.float32), np.zeros((0, 4), np.float32))
        >>> uncovered_motion(m, np.array([[0, 0, 32, 32]], np.float32), (64, 64)).tolist()
        [[32.0, 0.0, 64.0, 32.0]]
    """
    h, w = shape
    rows, cols = math.ceil(h / cell), math.ceil(w / cell)
    moving = np.zeros((rows, cols), bool)
    for x1, y1, x2, y2 in np.asarray(motion.boxes, np.float32).reshape(-1, 4):
        moving[max(0, int(y1 // cell)):math.ceil(y2 / cell),
               max(0, int(x1 // cell)):math.ceil(x2 / cell)] = True
    for x1, y1, x2, y2 in np.asarray(covered, np.float32).reshape(-1, 4):
        r2 = rows if y2 >= h else int(y2 // cell)
        c2 = cols if x2 >= w else int(x2 // cell)
        moving[max(0, math.ceil(y1 / cell)):r2, max(0, math.ceil(x1 / cell)):c2] = False
    boxes: list[list[int]] = []
    above: dict[tuple[int, int], int] = {}  # runs of the row above: (c1, c2) -> box index
    for r in range(rows):
        edges = np.flatnonzero(np.diff(np.concatenate([[0], moving[r].astype(np.int8), [0]])))
        runs: dict[tuple[int, int], int] = {}
        for c1, c2 in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            if (c1, c2) in above:  # the same run as the row above: grow that box down
                runs[(c1, c2)] = above[(c1, c2)]
                boxes[above[(c1, c2)]][3] = min(h, (r + 1) * cell)
            else:
                runs[(c1, c2)] = len(boxes)
                boxes.append([c1 * cell, r * cell, min(w, c2 * cell), min(h, (r + 1) * cell)])
        above = runs
    return np.array(boxes, np.float32).reshape(-1, 4)


def frame_regions(
    redactor: Redactor,
    image: Image,
    tracked: Detections,
    fresh: Detections | None,
    motion: Motion,
) -> Regions | None:
    """Regions to hide in a live frame, vouched for by a detection pass of that frame.

    Args:
        redactor: Finds faces and plates.
        image: The frame.
        tracked: The tracker's boxes (objects that stand still are not re-detected).
        fresh: What the detector found in this very frame; None when no detection
            pass ran on it (dropped, or a frame between detection frames).
        motion: This frame's motion (its boxes are where something changed).

    Returns:
        Face, head and plate regions of the people and vehicles of this frame and
        of the tracker, plus (kind ``motion``) every moving area that no person
        or vehicle box of this frame covers; None when the frame cannot be
        vouched for (no detection pass, or the models failed): blur it whole.
    """
    if fresh is None:
        return None
    new_people, new_vehicles = people_and_vehicles(fresh)
    old_people, old_vehicles = people_and_vehicles(tracked)
    people, vehicles = _union(new_people, old_people), _union(new_vehicles, old_vehicles)
    try:
        regions = redactor.find(image, people, vehicles)
    except Exception:  # process boundary: a model failure must not stop the camera
        log.exception("live redaction failed; the frame is blurred whole")
        return None
    covered = np.concatenate([new_people, new_vehicles])
    h, w = image.shape[:2]
    return regions.merge(Regions.of("motion", uncovered_motion(motion, covered, (h, w))))


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
