"""Whole-frame measurements that only some rules need, made only when configured.

A camera with an ``abandoned_object`` rule gets static-foreground blobs
(``Observation.static_blobs``); one with a frame-based ``camera_tamper`` rule gets
tamper signals (``Observation.tamper``). Others pay nothing.
"""

from __future__ import annotations

import time

from kuzet.config.cameras import CameraConfig
from kuzet.config.rules import AbandonedObjectRuleConfig, CameraTamperRuleConfig
from kuzet.core.types import FloatArray, Frame, TamperSignals
from kuzet.motion.static_foreground import StaticForeground, StaticForegroundParams
from kuzet.motion.tamper import tamper_signals


class SceneAnalysis:
    """Static foreground and tamper signals of one camera, as its rules require.

    Args:
        cam: The camera's config (its rules and masks).
        shape: (height, width) of the analysed frames.
    """

    def __init__(self, cam: CameraConfig, shape: tuple[int, int]) -> None:
        enabled = [r for r in cam.rules if r.enabled]
        abandoned = [r for r in enabled if isinstance(r, AbandonedObjectRuleConfig)]
        self._static: StaticForeground | None = None
        if abandoned:
            masks = [*cam.motion.masks, *cam.masks]
            params = StaticForegroundParams.from_rule(abandoned[0])
            self._static = StaticForeground(params, shape, masks)
        self._tamper = any(
            isinstance(r, CameraTamperRuleConfig) and r.tamper != "signal_loss" for r in enabled
        )
        self.seconds = 0.0  # time spent, for cost reporting
        self.frames = 0

    def measure(self, frame: Frame) -> tuple[FloatArray | None, TamperSignals | None]:
        """(static blobs or None, tamper signals or None) of one frame."""
        if self._static is None and not self._tamper:
            return None, None
        start = time.perf_counter()
        blobs = None if self._static is None else self._static.update(frame)
        signals = tamper_signals(frame.image) if self._tamper else None
        self.seconds += time.perf_counter() - start
        self.frames += 1
        return blobs, signals
