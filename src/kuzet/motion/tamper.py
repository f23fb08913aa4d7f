"""Camera-tamper signals: defocus, occlusion and scene change, from whole frames.

``tamper_signals(image)`` measures one frame (about 1 ms on a 240-row grey
copy). ``TamperJudge`` learns baselines over the first ``learn_s`` seconds and
then says which condition holds::

    occlusion     little texture (most cells flat), or a dark / uniform frame
    defocus       sharpness (variance of the Laplacian) < defocus_ratio x baseline
    scene_change  correlation of a 64x48 edge map with the reference < scene_similarity

At most one condition holds at a time, in that order of priority (a covered lens
is also unsharp; a blurred view also correlates less). Baselines adapt slowly
(``adapt_s``) while no condition holds; ``relearn()`` starts over, e.g. after a
camera was turned on purpose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from kuzet.core.types import FloatArray, Image, TamperSignals

ANALYSIS_HEIGHT = 240
EDGE_SHAPE = (48, 64)  # (rows, cols) of the scene-comparison edge map
CELL = 20  # px of the analysis frame per texture cell
CELL_TEXTURE_STD = 6.0  # grey-level std that makes a cell "textured"
DARK = 15.0  # mean grey level below which the frame counts as covered
UNIFORM = 8.0  # grey-level std below which the frame counts as uniform

Conditions = tuple[str, ...]


def tamper_signals(image: Image) -> TamperSignals:
    """Measure one frame.

    Args:
        image: HxWx3 BGR (or HxW grey) uint8 frame.

    Returns:
        Sharpness, textured fraction, brightness, contrast and a small edge map.

    Example:
        >>> s = tamper_signals(np.zeros((120, 160, 3), np.uint8))
        >>> s.texture, s.brightness
        (0.0, 0.0)
    """
    h, w = image.shape[:2]
    small_h = min(ANALYSIS_HEIGHT, h)
    small_w = max(1, int(round(w * small_h / h)))
    small = cv2.resize(image, (small_w, small_h), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    g = np.asarray(gray, np.float32)
    # A light blur first: sensor noise must not count as sharpness.
    sharpness = float(cv2.Laplacian(cv2.GaussianBlur(g, (3, 3), 0), cv2.CV_32F).var())
    rows, cols = max(1, small_h // CELL), max(1, small_w // CELL)
    cells = (
        g[: rows * CELL, : cols * CELL].reshape(rows, CELL, cols, CELL)
        if small_h >= CELL and small_w >= CELL
        else g[None, :, None, :]
    )
    texture = float((cells.std(axis=(1, 3)) > CELL_TEXTURE_STD).mean())
    tiny = cv2.resize(g, (EDGE_SHAPE[1], EDGE_SHAPE[0]), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(tiny, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(tiny, cv2.CV_32F, 0, 1, ksize=3)
    edges: FloatArray = np.asarray(cv2.magnitude(gx, gy), np.float32)
    return TamperSignals(sharpness, texture, float(g.mean()), float(g.std()), edges)


def correlation(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """Pearson correlation of two equally shaped maps (1 = same scene)."""
    a0, b0 = a - a.mean(), b - b.mean()
    den = float(np.sqrt((a0 * a0).sum() * (b0 * b0).sum()))
    return float((a0 * b0).sum()) / den if den > 1e-9 else 0.0


@dataclass(frozen=True, slots=True)
class TamperThresholds:
    """When each condition holds (see ``CameraTamperRuleConfig``)."""

    learn_s: float = 5.0
    adapt_s: float = 600.0
    defocus_ratio: float = 0.4
    occlusion_texture: float = 0.15
    scene_similarity: float = 0.5


class TamperJudge:
    """Baselines of one camera and the tamper condition of each frame.

    Example:
        >>> judge = TamperJudge(TamperThresholds(learn_s=0))
        >>> judge.update(signals, ts)  # doctest: +SKIP
        ('defocus',)
    """

    def __init__(self, thresholds: TamperThresholds) -> None:
        self.t = thresholds
        self._learn_start: float | None = None
        self._frames = 0
        self._sharpness = 0.0
        self._reference: FloatArray | None = None
        self._last_ts = 0.0
        self.similarity = 1.0

    def relearn(self) -> None:
        """Forget the baselines; the next ``learn_s`` seconds form new ones."""
        self._learn_start = None
        self._frames = 0
        self._reference = None

    @property
    def learning(self) -> bool:
        """Whether the first baselines are still being formed."""
        return self._reference is None or self._learn_start is not None

    def update(self, s: TamperSignals, ts: float) -> Conditions:
        """Judge one frame's signals; returns the condition names that hold (0 or 1)."""
        dt = min(max(ts - self._last_ts, 0.0), 2.0)
        self._last_ts = ts
        if self._occluded(s):
            return ("occlusion",)
        if self._learn_start is None and self._reference is None:
            self._learn_start = ts
        if self._learn_start is not None:
            self._learn(s, ts)
            return ()
        assert self._reference is not None
        if s.sharpness < self.t.defocus_ratio * self._sharpness:
            return ("defocus",)
        self.similarity = correlation(s.edges, self._reference)
        if self.similarity < self.t.scene_similarity:
            return ("scene_change",)
        rate = 1.0 - math.exp(-dt / self.t.adapt_s)
        self._sharpness += rate * (s.sharpness - self._sharpness)
        self._reference = self._reference + np.float32(rate) * (s.edges - self._reference)
        return ()

    def _occluded(self, s: TamperSignals) -> bool:
        return s.texture < self.t.occlusion_texture or s.brightness < DARK or s.contrast < UNIFORM

    def _learn(self, s: TamperSignals, ts: float) -> None:
        # Plain averages over the learning period.
        assert self._learn_start is not None
        self._frames += 1
        k = 1.0 / self._frames
        self._sharpness = (
            s.sharpness
            if self._frames == 1
            else self._sharpness + k * (s.sharpness - self._sharpness)
        )
        if self._reference is None or self._frames == 1:
            self._reference = s.edges.copy()
        else:
            self._reference = self._reference + np.float32(k) * (s.edges - self._reference)
        if ts - self._learn_start >= self.t.learn_s:
            self._learn_start = None
