"""Plate reading on vehicle tracks: a few OCR attempts per track, voted.

Per track: an attempt every ``every_s`` seconds (frame time) at most, up to
``max_attempts``, and only while the vehicle box is wide enough to hold a
readable plate. Once the vote is stable an early read (``final=False``) is sent
and attempts stop; when the track ends its final read (``final=True``) is sent.
So a track gives at most one early and exactly one final read (if any attempt
read something). Per-track state is dropped on ``forget``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kuzet.config.plates import PlatesConfig
from kuzet.core.sightings import PlateRead
from kuzet.core.types import Detections, Frame
from kuzet.enrich.plate.reader import PlateCandidate, VehiclePlateReader
from kuzet.enrich.plate.vote import PlateVote
from kuzet.render.jpeg import encode_jpeg

CROP_JPEG_QUALITY = 90


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
    done: bool = field(default=False)


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
        track.vote.add(candidate.text, candidate.score, candidate.quality)
        if track.best is None or _rank(candidate) > _rank(track.best):
            track.best, track.best_ts, track.best_wall = candidate, frame.ts, frame.wall
        if track.vote.stable and not track.early_sent:
            track.early_sent = track.done = True
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
            vehicle_class=track.vehicle_class,
            box=best.box,
            crop_jpeg=jpeg,
            final=final,
        )

    @property
    def open_tracks(self) -> int:
        """Number of tracks with state (for tests and health)."""
        return len(self._tracks)


def _rank(candidate: PlateCandidate) -> float:
    return candidate.score * (0.25 + 0.75 * candidate.quality)
