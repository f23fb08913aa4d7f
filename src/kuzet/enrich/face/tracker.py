"""Faces on person tracks: one decision per track from its best faces, within a budget.

For every person track, every ``every_s`` seconds (frame time) and at most
``max_looks`` times, CenterFace looks at an upscaled crop of the upper part of
the person box (:func:`kuzet.enrich.face.finder.faces_in_person`). A face above
``min_quality`` (size, sharpness, pose from the landmarks:
:mod:`kuzet.enrich.face.quality`) becomes a *look*, ranked by quality x
detector score. Looks are not embedded as they come: the track keeps only its
best few (:class:`kuzet.enrich.face.decision.TrackFaces`), and embeds them when
it decides, so a track costs at most ``per_track`` dlib embeddings:

- a face at least ``early_quality`` good is embedded at once and sent as an
  early probe (``final=False``): an alert should not wait for the track to end;
- the track decides when it ends, when its looks run out, or when its buffer
  is full of faces at least ``early_quality`` good: the best waiting looks
  are embedded (those not far below the best one already embedded), all of the
  track's embeddings are combined (quality-weighted mean) and sent as the
  track's decision (``final=True``, ``looks`` = embeddings combined), unless
  nothing was added to the early probe.

Embeddings and crops leave with the probe and are never logged.
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
from kuzet.enrich.face.decision import FaceLook, TrackFaces, aggregate, cut_look
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
class FaceStats:
    """Cost counters (seconds are wall time spent in this stage)."""

    frames: int = 0
    looks: int = 0
    faces: int = 0
    embeds: int = 0  # dlib embeddings: the per-track cost
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
        self._tracks: dict[int, TrackFaces] = {}
        self.stats = FaceStats()

    @property
    def tracked(self) -> int:
        """How many tracks have per-track state."""
        return len(self._tracks)

    def forget(self, track_id: int) -> None:
        """Free a track's state without deciding (see :meth:`finish`)."""
        self._tracks.pop(track_id, None)

    def finish(self, track_id: int) -> FaceProbe | None:
        """The decision of a track that ended (None if nothing new to send); forgets it."""
        state = self._tracks.pop(track_id, None)
        if state is None or state.closed:
            return None
        start, loading = time.perf_counter(), self.stats.load_s
        probe = self._decide(track_id, state)
        self.stats.probes += probe is not None
        self.stats.total_s += time.perf_counter() - start - (self.stats.load_s - loading)
        return probe

    def finish_all(self) -> list[FaceProbe]:
        """Decisions of every open track (camera stopping)."""
        probes = [self.finish(track_id) for track_id in list(self._tracks)]
        return [p for p in probes if p is not None]

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
            state = self._tracks.setdefault(int(dets.track_id[row]), TrackFaces())
            if not state.closed and ts - state.last_look >= cfg.every_s:
                rows.append(row)
        rows.sort(key=lambda r: self._tracks[int(dets.track_id[r])].last_look)  # type: ignore[index]
        return rows[:MAX_TRACKS_PER_FRAME]

    def _look(self, frame: Frame, track_id: int, person: FloatArray) -> FaceProbe | None:
        state = self._tracks[track_id]
        state.last_look, state.looks = frame.ts, state.looks + 1
        self.stats.looks += 1
        look = self._find(frame, person)
        cfg = self.cfg
        if look is not None:
            early = not state.early_sent and look.quality >= cfg.early_quality
            if early and len(state.vectors) < cfg.per_track:
                state.early_sent = True
                self._embed(state, [look])
                return self._probe(track_id, state, final=False)
            state.offer(look, cfg.per_track)
        room = cfg.per_track - len(state.vectors)
        full = room > 0 and len(state.waiting) >= room and all(
            w.quality >= cfg.early_quality for w in state.waiting
        )
        if full or state.looks >= cfg.max_looks or room <= 0:
            return self._decide(track_id, state)
        return None

    def _find(self, frame: Frame, person: FloatArray) -> FaceLook | None:
        """The widest good-enough face in the person box, as a look."""
        detector = self.detector  # loads on first use: not counted as detection time
        t0 = time.perf_counter()
        faces = faces_in_person(detector, frame.image, person)
        self.stats.detect_s += time.perf_counter() - t0
        row = _largest(faces, self.cfg.min_face_px)
        if row is None:
            return None
        self.stats.faces += 1
        box, landmarks = faces.xyxy[row], np.asarray(faces.attrs["landmarks"])[row]
        quality = face_quality(frame.image, box, landmarks).score
        if quality < self.cfg.min_quality:
            return None
        crop, local = cut_look(frame.image, box)
        x1, y1, x2, y2 = (float(v) for v in box)
        rank = quality * float(faces.score[row])
        return FaceLook(rank, quality, crop, local, (x1, y1, x2, y2), frame.ts, frame.wall)

    def _embed(self, state: TrackFaces, looks: list[FaceLook]) -> None:
        embedder = self.embedder
        for look in looks:
            t0 = time.perf_counter()
            vector = embedder.embed(look.crop, look.box[None])[0]
            self.stats.embed_s += time.perf_counter() - t0
            self.stats.embeds += 1
            state.add(look, vector)

    def _decide(self, track_id: int, state: TrackFaces) -> FaceProbe | None:
        """Embed the best waiting looks and send the combined decision (if it adds any)."""
        state.closed = True
        chosen = state.worth_embedding()
        state.waiting = []
        self._embed(state, chosen)
        if not chosen and state.early_sent:
            return None  # the early probe already carried everything the track had
        return self._probe(track_id, state, final=True) if state.vectors else None

    def _probe(self, track_id: int, state: TrackFaces, final: bool) -> FaceProbe:
        best = state.best
        assert best is not None  # a probe is made only after an embedding
        return FaceProbe(
            camera_id=self.camera_id,
            track_id=track_id,
            ts=best.ts,
            wall=best.wall,
            embedding=aggregate(state.vectors),
            quality=round(best.quality, 4),
            box=best.frame_box,
            crop_jpeg=face_crop_jpeg(best.crop, best.box),
            final=final,
            looks=len(state.vectors),
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
