"""Class-agnostic static foreground: things that arrived and then stayed still.

Two running-average backgrounds on a small grey copy of the frame::

    long-term  B_L  learns slowly (``background_s``) and hardly at all where
                    something stands in front of it (``absorb_s``)
    short-term B_S  learns in ~1 s

    pixel vs B_L | pixel vs B_S | meaning            | static clock
    -------------+--------------+--------------------+-------------------
    same         | -            | background         | reset to 0
    different    | same         | new and still      | += dt
    different    | different    | moving / occluded  | held (a passer-by
                                                        does not reset it)

A pixel whose clock reaches ``static_after`` seconds is static; connected static
pixels of a plausible size form a blob. Each blob is reported with the time it
became static. The frame's global gain is matched to the long-term background
first, so slow lighting drift and auto-exposure do not create foreground; a
change over more than half the frame resets both models.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Self

import cv2
import numpy as np
import numpy.typing as npt

from kuzet.config.geometry import MaskConfig
from kuzet.config.rules import AbandonedObjectRuleConfig
from kuzet.core.geometry import polygons_mask
from kuzet.core.types import FloatArray, Frame, Image

GLOBAL_CHANGE = 0.5
SHORT_S = 1.0  # time constant of the short-term background
MAX_DT = 2.0  # a longer gap between frames counts as this much
_BLUR = (5, 5)
_CLOSE = np.ones((3, 3), np.uint8)
# A blob whose outline has less than this fraction of the background's edge
# energy there is a ghost (the background is stale), not a new object.
GHOST_EDGE_RATIO = 0.8

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class StaticForegroundParams:
    """Background-model settings (see ``AbandonedObjectRuleConfig``)."""

    threshold: float = 22.0
    static_after: float = 3.0
    min_area: float = 0.0008
    max_area: float = 0.04
    background_s: float = 30.0
    absorb_s: float = 600.0
    downscale_height: int = 160

    @classmethod
    def from_rule(cls, cfg: AbandonedObjectRuleConfig) -> Self:
        """The model settings of an abandoned_object rule."""
        return cls(
            threshold=float(cfg.threshold),
            static_after=cfg.static_after,
            min_area=cfg.min_area,
            max_area=cfg.max_area,
            background_s=cfg.background_s,
            absorb_s=cfg.absorb_s,
            downscale_height=cfg.downscale_height,
        )


def _edge_energy(gray: F32, where: npt.NDArray[np.bool_]) -> float:
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    return float(np.abs(gx[where]).mean() + np.abs(gy[where]).mean()) if where.any() else 0.0


def _alpha(dt: float, tau: float) -> float:
    return 1.0 - math.exp(-dt / tau)


class StaticForeground:
    """Finds foreground blobs that became static.

    Args:
        params: Thresholds, time constants, blob size limits.
        frame_shape: (height, width) of the frames passed to ``update``.
        masks: Areas never reported (camera and motion masks).

    Example:
        >>> sf = StaticForeground(StaticForegroundParams(), (480, 640))
        >>> blobs = sf.update(frame)  # doctest: +SKIP
        >>> blobs[:, :4], blobs[:, 4]  # boxes in frame pixels, static-since ts  # doctest: +SKIP
    """

    def __init__(
        self,
        params: StaticForegroundParams,
        frame_shape: tuple[int, int],
        masks: list[MaskConfig] | None = None,
    ) -> None:
        h, w = int(frame_shape[0]), int(frame_shape[1])
        if h <= 0 or w <= 0:
            raise ValueError(f"frame_shape must be (height, width) > 0, got {frame_shape}")
        self.params = params
        self.frame_shape = (h, w)
        small_h = min(params.downscale_height, h)
        small_w = max(1, int(round(w * small_h / h)))
        self._small = (small_h, small_w)
        self._scale = np.array([w / small_w, h / small_h] * 2, np.float32)
        self._masked = polygons_mask([m.points for m in masks or []], self._small)
        self._valid = max(1, int(small_h * small_w - self._masked.sum()))
        self._long: F32 | None = None
        self._short: F32 = np.zeros(self._small, np.float32)
        self._clock: F32 = np.zeros(self._small, np.float32)
        self._last_ts = 0.0

    def reset(self) -> None:
        """Forget both backgrounds (the next frame becomes them)."""
        self._long = None

    def update(self, frame: Frame) -> FloatArray:
        """Advance the models by one frame.

        Args:
            frame: The camera's next frame (same size as at construction).

        Returns:
            (N,5) float32 rows ``x1, y1, x2, y2, static_since_ts``, boxes in
            frame pixels.

        Raises:
            ValueError: The frame size differs from the one given at construction.
        """
        if frame.shape != self.frame_shape:
            raise ValueError(f"expected frames of {self.frame_shape}, got {frame.shape}")
        gray = self._prepare(frame.image)
        dt = min(max(frame.ts - self._last_ts, 0.0), MAX_DT)
        self._last_ts = frame.ts
        if self._long is None:
            return self._restart(gray)
        gray = self._match_gain(gray, self._long)
        fg_long = np.abs(gray - self._long) > self.params.threshold
        fg_long[self._masked] = False
        if np.count_nonzero(fg_long) > GLOBAL_CHANGE * self._valid:
            return self._restart(gray)
        still = np.abs(gray - self._short) <= self.params.threshold
        self._learn(gray, fg_long, dt)
        self._clock[fg_long & still] += dt
        self._clock[~fg_long] = 0.0
        return self._blobs(frame.ts, gray)

    def _prepare(self, image: Image) -> F32:
        small_h, small_w = self._small
        resized = cv2.resize(image, (small_w, small_h), interpolation=cv2.INTER_AREA)
        gray = cv2.cvtColor(resized, cv2.COLOR_BGR2GRAY) if resized.ndim == 3 else resized
        return np.asarray(cv2.GaussianBlur(gray, _BLUR, 0), np.float32)

    def _restart(self, gray: F32) -> FloatArray:
        self._long = gray.copy()
        self._short = gray.copy()
        self._clock[:] = 0.0
        return np.zeros((0, 5), np.float32)

    def _match_gain(self, gray: F32, reference: F32) -> F32:
        # Global illumination change: scale the frame to the background's level.
        keep = ~self._masked
        ref = float(np.median(reference[keep][::4]))
        cur = float(np.median(gray[keep][::4]))
        if cur < 1.0 or ref < 1.0:
            return gray
        return np.asarray(gray * (ref / cur), np.float32)

    def _learn(self, gray: F32, fg_long: npt.NDArray[np.bool_], dt: float) -> None:
        assert self._long is not None
        p = self.params
        rate = np.where(fg_long, _alpha(dt, p.absorb_s), _alpha(dt, p.background_s))
        self._long += (rate * (gray - self._long)).astype(np.float32)
        self._short += np.float32(_alpha(dt, SHORT_S)) * (gray - self._short)

    def _is_ghost(self, gray: F32, region: npt.NDArray[np.bool_]) -> bool:
        # A real object brings its own outline; a "ghost" (something that was
        # in the background and left) has its outline in the background only.
        assert self._long is not None
        band = cv2.dilate(region.astype(np.uint8), _CLOSE, iterations=2) > 0
        band &= ~(cv2.erode(region.astype(np.uint8), _CLOSE, iterations=1) > 0)
        return bool(_edge_energy(gray, band) < GHOST_EDGE_RATIO * _edge_energy(self._long, band))

    def _forget_ghost(self, gray: F32, region: npt.NDArray[np.bool_]) -> None:
        assert self._long is not None
        self._long[region] = gray[region]
        self._clock[region] = 0.0

    def _blobs(self, ts: float, gray: F32) -> FloatArray:
        static = (self._clock >= self.params.static_after).astype(np.uint8)
        if not static.any():
            return np.zeros((0, 5), np.float32)
        static = np.asarray(cv2.morphologyEx(static, cv2.MORPH_CLOSE, _CLOSE), np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(static, connectivity=8)
        area_px = self._small[0] * self._small[1]
        rows: list[list[float]] = []
        for i in range(1, n):
            x, y, bw, bh, area = (int(v) for v in stats[i])
            if not self.params.min_area * area_px <= area <= self.params.max_area * area_px:
                continue
            region = labels == i
            if self._is_ghost(gray, region):
                self._forget_ghost(gray, region)
                continue
            age = float(self._clock[region].max())
            rows.append([x, y, x + bw, y + bh, ts - age])
        if not rows:
            return np.zeros((0, 5), np.float32)
        out = np.asarray(rows, np.float32)
        out[:, :4] *= self._scale
        return out
