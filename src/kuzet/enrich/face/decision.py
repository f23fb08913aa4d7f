"""One person track's face decision: its best faces, embedded within a budget, combined.

A *look* is a face found on a track, with its rank (quality x detector score)
and a small crop around it; looks wait in a buffer that keeps only the best
few (as many as the budget has embeddings left), so memory and cost stay
bounded per track. The embeddings a track made are combined into one
(:func:`aggregate`): their mean weighted by face quality, rescaled to their mean
length, which averages out pose, blur and lighting of single frames.

Nothing here is logged; crops and embeddings live only until the track's
decision leaves as a probe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kuzet.core.types import FloatArray, Image

LOOK_MARGIN = 0.6  # a waiting look keeps its face box widened by this share per side
WORSE_THAN_BEST = 0.8  # waiting looks ranked below this share of the best embedded one: skipped


@dataclass(frozen=True)
class FaceLook:
    """A face on a track, waiting to be embedded (or already embedded).

    Attributes:
        rank: Quality x detector score (what picks the best looks).
        quality: 0-1 face quality (size, sharpness, pose); weights the embedding.
        crop: BGR crop around the face (``LOOK_MARGIN`` per side).
        box: Face box xyxy in ``crop`` pixels.
        frame_box: Face box xyxy in the frame.
        ts: Frame timestamp (seconds).
        wall: Frame wall-clock UNIX time.
    """

    rank: float
    quality: float
    crop: Image
    box: FloatArray
    frame_box: tuple[float, float, float, float]
    ts: float
    wall: float


def cut_look(image: Image, box: FloatArray) -> tuple[Image, FloatArray]:
    """The crop a look keeps, and the face box in its pixels."""
    h, w = image.shape[:2]
    mx, my = (box[2] - box[0]) * LOOK_MARGIN, (box[3] - box[1]) * LOOK_MARGIN
    x1, y1 = int(max(0, box[0] - mx)), int(max(0, box[1] - my))
    x2, y2 = int(min(w, box[2] + mx)), int(min(h, box[3] + my))
    crop = np.ascontiguousarray(image[y1:y2, x1:x2])
    local = np.asarray(box, np.float32) - np.array([x1, y1, x1, y1], np.float32)
    return crop, local


@dataclass
class TrackFaces:
    """Face state of one person track.

    Attributes:
        last_look: Frame time of the last look.
        looks: Looks taken.
        early_sent: An early probe (one very good face) went out.
        closed: The track's decision went out; no more looks.
        waiting: Best looks not yet embedded, best first.
        vectors: Embeddings made, with their quality weights.
        best: Best embedded look (its crop and box go with the probe).
    """

    last_look: float = -1e18
    looks: int = 0
    early_sent: bool = False
    closed: bool = False
    waiting: list[FaceLook] = field(default_factory=list)
    vectors: list[tuple[FloatArray, float]] = field(default_factory=list)
    best: FaceLook | None = None

    def offer(self, look: FaceLook, budget: int) -> None:
        """Keep ``look`` if it is among the best the budget can still embed."""
        room = budget - len(self.vectors)
        self.waiting = sorted([*self.waiting, look], key=lambda x: -x.rank)[: max(room, 0)]

    def worth_embedding(self) -> list[FaceLook]:
        """Waiting looks still worth their budget slot (not far below the best embedded)."""
        floor = 0.0 if self.best is None else self.best.rank * WORSE_THAN_BEST
        return [look for look in self.waiting if look.rank >= floor]

    def add(self, look: FaceLook, vector: FloatArray) -> None:
        """Record an embedding made of ``look``."""
        self.vectors.append((np.asarray(vector, np.float32), max(look.quality, 1e-3)))
        if self.best is None or look.rank > self.best.rank:
            self.best = look


def aggregate(vectors: list[tuple[FloatArray, float]]) -> FloatArray:
    """Quality-weighted mean of embeddings, rescaled to their mean length.

    Example:
        >>> a, b = np.array([1.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)
        >>> aggregate([(a, 1.0), (b, 1.0)]).round(3).tolist()
        [0.707, 0.707]

    Raises:
        ValueError: No embedding.
    """
    if not vectors:
        raise ValueError("aggregate needs at least one embedding")
    stack = np.stack([v for v, _ in vectors]).astype(np.float64)
    weights = np.asarray([w for _, w in vectors], np.float64)
    mean = (stack * weights[:, None]).sum(axis=0) / weights.sum()
    length = float(np.linalg.norm(stack, axis=1).mean())
    norm = float(np.linalg.norm(mean))
    return np.asarray(mean * (length / norm) if norm > 0 else mean, np.float32)
