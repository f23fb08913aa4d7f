"""Plate reading on vehicle tracks: a few OCR attempts per track, one decision.

Per track: an attempt every ``every_s`` seconds (frame time) at most, up to
``max_attempts``, and only while the vehicle box is wide enough to hold a
readable plate. The reads are combined character by character
(:mod:`kuzet.enrich.plate.vote`) into the track's decision. An early read
(``final=False``) is sent as soon as the vote is stable, or at once when one
read is already confident (``early_confidence``, every character sure, a
national format); attempts stop once the vote is stable. When the track ends
its final read (``final=True``), the vote over all its reads, is sent. Both
carry the track's ``decision_id`` and its number of looks, so the store keeps
one read per track (the final replaces the early) and a hotlist hits it once.
Per-track state is dropped on ``forget``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import cv2
import numpy as np

from kuzet.config.plates import PlatesConfig
from kuzet.core.sightings import PlateRead, PlateScene
from kuzet.core.types import Detections, Frame
from kuzet.enrich.plate.grammar import LOCKED
from kuzet.enrich.plate.reader import PlateCandidate, VehiclePlateReader
from kuzet.enrich.plate.vote import PlateVote
from kuzet.render.jpeg import encode_jpeg

CROP_JPEG_QUALITY = 90
SCENE_MARGIN = 0.5  # the scene is the vehicle box widened by this share on each side
SCENE_MAX_SIDE = 960  # scenes larger than this are scaled down
SCENE_JPEG_QUALITY = 85


@dataclass
class PlateStats:
    """OCR attempt counters of one camera."""

    attempts: int = 0
    reads: int = 0
    total_ms: float = 0.0

    @property
    def ms_per_attempt(self) -> float:
        """Mean milliseconds per OCR attempt (localisation + recognition)."""
        return self.total_ms / self.attempts if self.attempts else 0.0


@dataclass
class _Track:
    vehicle_class: str
    vote: PlateVote
    attempts: int = 0
    last_ts: float = float("-inf")
    early_sent: bool = False
    best: PlateCandidate | None = None
    best_ts: float = 0.0
    best_wall: float = 0.0
    best_scene: PlateScene | None = None
    done: bool = False
    decision_id: str = field(default_factory=lambda: uuid.uuid4().hex)


class TrackPlates:
    """Reads plates of a camera's vehicle tracks.

    Example:
        >>> cfg = PlatesConfig(enabled=True)
        >>> plates = TrackPlates("cam1", cfg, PlateReader())  # doctest: +SKIP
        >>> reads = plates.update(frame, tracked.detections, tracked.ended)  # doctest: +SKIP
    """

    def __init__(self, camera_id: str, cfg: PlatesConfig, reader: VehiclePlateReader) -> None:
        """Bind the camera, its plate settings and the reader.

        Args:
            camera_id: Camera the reads are attributed to.
            cfg: The camera's plate section.
            reader: Localisation and recognition inside a vehicle box.
        """
        self.camera_id = camera_id
        self.cfg = cfg
        self._reader = reader
        self._classes = frozenset(cfg.classes)
        self._tracks: dict[int, _Track] = {}
        self.stats = PlateStats()

    def update(self, frame: Frame, dets: Detections, ended: tuple[int, ...]) -> list[PlateRead]:
        """Attempt reads on due vehicle tracks; return early and final reads.

        Args:
            frame: The analysed frame.
            dets: Tracked detections of this frame.
            ended: Track ids that ended in this step.

        Returns:
            The plate reads produced on this frame.
        """
        reads: list[PlateRead] = []
        if dets.track_id is not None:
            labels = dets.labels
            for i, track_id in enumerate(dets.track_id.tolist()):
                if labels[i] in self._classes:
                    early = self._attempt(frame, int(track_id), labels[i], dets.xyxy[i])
                    if early is not None:
                        reads.append(early)
        for track_id in ended:
            final = self.finish(track_id)
            if final is not None:
                reads.append(final)
        return reads

    def _attempt(
        self, frame: Frame, track_id: int, label: str, box: np.ndarray
    ) -> PlateRead | None:
        track = self._tracks.get(track_id)
        if track is None:
            track = _Track(label, PlateVote(tuple(self.cfg.countries)))
            self._tracks[track_id] = track
        due = frame.ts - track.last_ts >= self.cfg.every_s
        wide = float(box[2] - box[0]) >= 2 * self.cfg.min_plate_px
        if track.done or not due or not wide or track.attempts >= self.cfg.max_attempts:
            return None
        track.attempts += 1
        track.last_ts = frame.ts
        candidate = self._reader.read_vehicle(frame.image, box)
        self.stats.attempts += 1
        if candidate is None:
            return None
        self.stats.total_ms += candidate.ms
        if (candidate.box[2] - candidate.box[0]) < self.cfg.min_plate_px:
            return None
        probs = candidate.char_probs if len(candidate.char_probs) == len(candidate.text) else ()
        track.vote.add(candidate.text, candidate.score, candidate.quality, probs)
        if track.best is None or _rank(candidate) > _rank(track.best):
            track.best, track.best_ts, track.best_wall = candidate, frame.ts, frame.wall
            track.best_scene = plate_scene(frame.image, box, candidate.box)
        track.done = track.vote.stable
        early = track.done or confident(candidate, self.cfg.early_confidence)
        if early and not track.early_sent:
            track.early_sent = True
            return self._read(track_id, track, final=False)
        return None

    def finish(self, track_id: int) -> PlateRead | None:
        """The final read of a track that ended (None if nothing was read); forgets it."""
        track = self._tracks.get(track_id)
        read = self._read(track_id, track, final=True) if track is not None else None
        self.forget(track_id)
        return read

    def finish_all(self) -> list[PlateRead]:
        """Final reads of every open track (camera stopping)."""
        reads = [self.finish(track_id) for track_id in list(self._tracks)]
        return [r for r in reads if r is not None]

    def forget(self, track_id: int) -> None:
        """Drop a track's state."""
        self._tracks.pop(track_id, None)

    def _read(self, track_id: int, track: _Track, final: bool) -> PlateRead | None:
        vote = track.vote.result()
        best = track.best
        if vote is None or best is None or vote.confidence < self.cfg.min_confidence:
            return None
        self.stats.reads += 1
        try:
            jpeg = encode_jpeg(best.crop, CROP_JPEG_QUALITY)
        except ValueError:  # an unencodable crop: the read still counts, without a picture
            jpeg = b""
        return PlateRead(
            camera_id=self.camera_id,
            track_id=track_id,
            ts=track.best_ts,
            wall=track.best_wall,
            text=vote.text,
            confidence=vote.confidence,
            country=vote.country,
            plate_format=vote.plate_format,
            vehicle_class=track.vehicle_class,
            box=best.box,
            crop_jpeg=jpeg,
            final=final,
            scene=track.best_scene,
            looks=vote.reads,
            decision_id=track.decision_id,
        )

    @property
    def open_tracks(self) -> int:
        """Number of tracks with state (for tests and health)."""
        return len(self._tracks)


def plate_scene(
    image: np.ndarray, vehicle: np.ndarray, plate: tuple[float, float, float, float]
) -> PlateScene | None:
    """The vehicle with its surroundings (``SCENE_MARGIN``), boxes in its pixels.

    Args:
        image: The analysed frame (HxWx3 BGR).
        vehicle: Vehicle box xyxy in frame pixels.
        plate: Plate box xyxy in frame pixels.

    Returns:
        The scene, or None if encoding fails.

    Example:
        >>> scene = plate_scene(frame.image, vehicle_box, plate_box)  # doctest: +SKIP
    """
    h, w = image.shape[:2]
    mx = SCENE_MARGIN * float(vehicle[2] - vehicle[0])
    my = SCENE_MARGIN * float(vehicle[3] - vehicle[1])
    x1, y1 = max(0, int(vehicle[0] - mx)), max(0, int(vehicle[1] - my))
    x2, y2 = min(w, int(vehicle[2] + mx)), min(h, int(vehicle[3] + my))
    crop = image[y1:y2, x1:x2]
    scale = min(1.0, SCENE_MAX_SIDE / max(1, x2 - x1, y2 - y1))
    if scale < 1.0:
        crop = cv2.resize(crop, (round((x2 - x1) * scale), round((y2 - y1) * scale)))
    try:
        jpeg = encode_jpeg(np.ascontiguousarray(crop), SCENE_JPEG_QUALITY)
    except ValueError:  # the read still counts, without a scene
        return None

    def local(box: tuple[float, ...]) -> tuple[float, float, float, float]:
        bx1, by1, bx2, by2 = ((v - o) * scale for v, o in zip(box, (x1, y1, x1, y1), strict=True))
        return (bx1, by1, bx2, by2)

    return PlateScene(jpeg, local(plate), local(tuple(float(v) for v in vehicle)))


def confident(candidate: PlateCandidate, threshold: float) -> bool:
    """Whether one read may decide a track early: at least ``threshold`` confident,
    every character sure (>= ``grammar.LOCKED``), fitting a national format.

    Example:
        >>> confident(candidate, 0.9)  # doctest: +SKIP
        True
    """
    probs = candidate.char_probs
    return (
        candidate.plate_format is not None
        and not candidate.loose
        and len(probs) == len(candidate.text) > 0
        and min(probs) >= LOCKED
        and candidate.score >= threshold
    )


def _rank(candidate: PlateCandidate) -> float:
    return candidate.score * (0.25 + 0.75 * candidate.quality)
