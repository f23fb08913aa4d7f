"""What enrichers send from a camera worker to the main process.

Matching against watchlists and hotlists happens centrally (one index, rebuilt
from the database, governed there), so camera workers never hold biometric
watchlist data. A probe that matches nothing is dropped by the receiver unless
the deployment retains unmatched sightings (with a retention period).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class FaceProbe:
    """The face decision of one person track (or its early probe).

    Attributes:
        camera_id: Camera.
        track_id: Person track the face belongs to.
        ts: Frame timestamp (seconds).
        wall: Frame wall-clock UNIX time.
        embedding: (128,) float32 dlib face descriptor (L2 norm ~ 1); for a
            decision, the quality-weighted mean of the track's best faces.
        quality: 0-1 quality of the track's best face (size, sharpness, pose).
        box: Face box xyxy in the analysed frame (of the best face).
        crop_jpeg: JPEG of the face crop (the probe shown to verifiers).
        final: True for the track's decision (its best faces combined), False
            for an early probe (one very good face, sent at once).
        looks: Face embeddings combined into ``embedding``.
    """

    camera_id: str
    track_id: int
    ts: float
    wall: float
    embedding: npt.NDArray[np.float32]
    quality: float
    box: tuple[float, float, float, float]
    crop_jpeg: bytes
    final: bool = True
    looks: int = 1


@dataclass(frozen=True, slots=True)
class PlateScene:
    """The vehicle in its surroundings at a plate read: the evidence image of a hit.

    Attributes:
        jpeg: JPEG of the vehicle box with a margin around it (the scene).
        plate_box: Plate box xyxy in ``jpeg`` pixels (what redaction must hide).
        vehicle_box: Vehicle box xyxy in ``jpeg`` pixels.
    """

    jpeg: bytes
    plate_box: tuple[float, float, float, float]
    vehicle_box: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class PlateRead:
    """A licence plate read from one vehicle track (voted over its frames).

    Attributes:
        camera_id: Camera.
        track_id: Vehicle track.
        ts: Timestamp (seconds) of the best frame.
        wall: Wall-clock UNIX time of the best frame.
        text: Normalised plate text (uppercase, no spaces), e.g. ``123ABC01``.
        confidence: 0-1 confidence after voting.
        country: Country of the plate format that matched (``KZ``, ``RU``, ``UA``,
            ``EU``, ``US``, ``BR``, ``CN``) or None.
        vehicle_class: Class of the vehicle track (car, truck, bus, motorcycle).
        box: Plate box xyxy in the analysed frame.
        crop_jpeg: JPEG of the plate crop.
        final: True for the track's final vote (track ended), False for an early read.
        scene: The vehicle and its surroundings in the best frame, if captured.
        plate_format: Name of the plate format the text fits (``KZ current``,
            ``RU private``), or None when it fits none (format unknown).
        looks: Reads of the track the decision combines.
        decision_id: Id of the track's decision, the same on its early and final
            read: the store keeps one read per decision (the final one replaces
            the early one) and a hotlist hits it once.
    """

    camera_id: str
    track_id: int
    ts: float
    wall: float
    text: str
    confidence: float
    country: str | None
    vehicle_class: str
    box: tuple[float, float, float, float]
    crop_jpeg: bytes
    final: bool = True
    scene: PlateScene | None = None
    plate_format: str | None = None
    looks: int = 1
    decision_id: str | None = None
