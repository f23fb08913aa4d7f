"""Faces on person tracks: the best few per track, embedded, sent as ``FaceProbe``.

For every person track, every ``every_s`` seconds (frame time) and at most
``max_looks`` times, CenterFace looks at an upscaled crop of the upper part of
the person box (:func:`kuzet.enrich.face.finder.faces_in_person`). The face is
scored (:mod:`kuzet.enrich.face.quality`); a face above ``min_quality`` that is
better than every face already sent for the track is aligned, embedded (dlib)
and emitted, up to ``per_track`` probes. The first good face goes out at once
(alerts should not wait for the track to end); later ones only when better.

Nothing is kept per track but counters; embeddings and crops leave with the
probe and are never logged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from kuzet.config.faces import FacesConfig
from kuzet.core.errors import ModelError
from kuzet.core.sightings import FaceProbe
from kuzet.core.types import Detections, FloatArray, Frame, Image
from kuzet.enrich.face.finder import faces_in_person
from kuzet.enrich.face.quality import face_quality
from kuzet.render.jpeg import encode_jpeg

if TYPE_CHECKING:
    from kuzet.enrich.face.detector import FaceDetector

MAX_TRACKS_PER_FRAME = 4  # face looks per frame, the tracks waiting longest first
CROP_MARGIN = 0.3  # the probe crop extends the face box by this share per side
FACE_MIN_SCORE = 0.5


class Embedder(Protocol):
    """What :class:`FaceTracker` needs of ``FaceEmbedder``."""

    def embed(self, image: Image, boxes: FloatArray) -> FloatArray:
        """(N,128) descriptors of the faces in ``boxes`` of a BGR image."""
        ...


@dataclass
class _TrackFaces:
    last_look: float = -1e18
    looks: int = 0
    sent: int = 0
    best: float = 0.0


@dataclass
class FaceStats:
    """Cost counters (seconds are wall time spent in this stage)."""

    frames: int = 0
    looks: int = 0
    faces: int = 0
    probes: int = 0
    detect_s: float = 0.0
    embed_s: float = 0.0
    total_s: float = 0.0  # the whole stage, model loading excluded
    load_s: float = 0.0  # loading the models (once)


class FaceTracker:
    """Per-camera face capture on person tracks.

    Example:
        >>> faces = FaceTracker("cam1", FacesConfig(enabled=True))  # doctest: +SKIP
        >>> probes = faces.update(frame, tracked)  # doctest: +SKIP
        >>> faces.forget(track_id)  # doctest: +SKIP
    """

    def __init__(
        self,
        camera_id: str,
        cfg: FacesConfig,
        detector: FaceDetector | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        """Keep the settings; models load on first use unless injected.

        Args:
            camera_id: Camera the probes belong to.
            cfg: The camera's ``faces`` section.
            detector: A ``FaceDetector`` (default: CenterFace from the model folder).
            embedder: A ``FaceEmbedder`` (default: dlib, installed models).
        """
        self.camera_id, self.cfg = camera_id, cfg
        self._detector, self._embedder = detector, embedder
        self._tracks: dict[int, _TrackFaces] = {}
        self.stats = FaceStats()

    @property
    def tracked(self) -> int:
        """How many tracks have per-track state."""
        return len(self._tracks)

    def forget(self, track_id: int) -> None:
        """Free a track's state (the track ended)."""
        self._tracks.pop(track_id, None)

    def update(self, frame: Frame, dets: Detections) -> list[FaceProbe]:
        """Look for faces on the person tracks due for a look.

        Args:
            frame: The analysed frame.
            dets: Tracked detections of that frame.

        Returns:
            Probes of faces worth matching (often none).
        """
        start, loading = time.perf_counter(), self.stats.load_s
        self.stats.frames += 1
        probes: list[FaceProbe] = []
        for row in self._due(frame.ts, dets):
            probe = self._look(frame, int(dets.track_id[row]), dets.xyxy[row])  # type: ignore[index]
            if probe is not None:
                probes.append(probe)
        self.stats.probes += len(probes)
        self.stats.total_s += time.perf_counter() - start - (self.stats.load_s - loading)
        return probes

    def _due(self, ts: float, dets: Detections) -> list[int]:
        if dets.track_id is None or len(dets) == 0:
            return []
        cfg, rows = self.cfg, []
        labels = dets.labels
        for row in range(len(dets)):
            box = dets.xyxy[row]
            if labels[row] != "person" or box[3] - box[1] < cfg.min_person_px:
                continue
            state = self._tracks.setdefault(int(dets.track_id[row]), _TrackFaces())
            done = state.sent >= cfg.per_track or state.looks >= cfg.max_looks
            if not done and ts - state.last_look >= cfg.every_s:
                rows.append(row)
        rows.sort(key=lambda r: self._tracks[int(dets.track_id[r])].last_look)  # type: ignore[index]
        return rows[:MAX_TRACKS_PER_FRAME]

    def _look(self, frame: Frame, track_id: int, person: FloatArray) -> FaceProbe | None:
        state = self._tracks[track_id]
        state.last_look, state.looks = frame.ts, state.looks + 1
        self.stats.looks += 1
        detector = self.detector  # loads on first use: not counted as detection time
        t0 = time.perf_counter()
        faces = faces_in_person(detector, frame.image, person)
        self.stats.detect_s += time.perf_counter() - t0
        best = _largest(faces, self.cfg.min_face_px)
        if best is None:
            return None
        self.stats.faces += 1
        box, landmarks = faces.xyxy[best], np.asarray(faces.attrs["landmarks"])[best]
        quality = face_quality(frame.image, box, landmarks).score
        if quality < self.cfg.min_quality or quality <= state.best:
            return None
        embedder = self.embedder
        t0 = time.perf_counter()
        embedding = embedder.embed(frame.image, box[None])[0]
        self.stats.embed_s += time.perf_counter() - t0
        state.sent, state.best = state.sent + 1, quality
        x1, y1, x2, y2 = (float(v) for v in box)
        return FaceProbe(
            camera_id=self.camera_id,
            track_id=track_id,
            ts=frame.ts,
            wall=frame.wall,
            embedding=embedding.astype(np.float32),
            quality=round(quality, 4),
            box=(x1, y1, x2, y2),
            crop_jpeg=face_crop_jpeg(frame.image, box),
        )

    @property
    def detector(self) -> FaceDetector:
        """The CenterFace detector (loaded on first use).

        Raises:
            ModelError: ``centerface`` is not installed (``kuzet models install``).
        """
        if self._detector is None:
            from kuzet.enrich.face.detector import FaceDetector
            from kuzet.models import find_model

            path = find_model("centerface")
            if path is None:
                raise ModelError("centerface model missing: run `kuzet models install`")
            start = time.perf_counter()
            self._detector = FaceDetector(Path(path), threads=1, min_score=FACE_MIN_SCORE)
            self.stats.load_s += time.perf_counter() - start
        return self._detector

    @property
    def embedder(self) -> Embedder:
        """The dlib face embedder (loaded on first use)."""
        if self._embedder is None:
            from kuzet.enrich.face.embedder import FaceEmbedder

            start = time.perf_counter()
            self._embedder = FaceEmbedder()
            self.stats.load_s += time.perf_counter() - start
        return self._embedder


def _largest(faces: Detections, min_px: int) -> int | None:
    """Row of the widest face at least ``min_px`` wide, or None."""
    if len(faces) == 0:
        return None
    widths = faces.xyxy[:, 2] - faces.xyxy[:, 0]
    row = int(np.argmax(widths))
    return row if widths[row] >= min_px else None


def face_crop_jpeg(image: Image, box: FloatArray, quality: int = 90) -> bytes:
    """JPEG of the face box enlarged by ``CROP_MARGIN`` per side (clipped to the image)."""
    h, w = image.shape[:2]
    mx, my = (box[2] - box[0]) * CROP_MARGIN, (box[3] - box[1]) * CROP_MARGIN
    x1, y1 = int(max(0, box[0] - mx)), int(max(0, box[1] - my))
    x2, y2 = int(min(w, box[2] + mx)), int(min(h, box[3] + my))
    return encode_jpeg(np.ascontiguousarray(image[y1:y2, x1:x2]), quality)
