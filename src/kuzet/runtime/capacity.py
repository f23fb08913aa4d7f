"""Honest capacity: a camera that analyses fewer frames than configured says so.

A box with too many cameras does not fail; each camera quietly analyses fewer frames
per second (issue 20: six cameras at 3 fps each while health said ``online``). The
worker feeds its analysed-frame counter to a :class:`RateWatch`, which averages the
achieved rate over a window and reports the shortfall, so the camera turns
``degraded`` with the achieved rate in its reason.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

# Averaged over this long: a busy second is not a shortfall.
WINDOW_S = 10.0
# Below this share of the configured rate counts as a shortfall; at or above
# RECOVER the camera is back (hysteresis, so a camera at the edge does not flap).
SHORT_BELOW = 0.9
RECOVER_AT = 0.95


@dataclass
class RateWatch:
    """Achieved analysis rate against the configured one, over a sliding window.

    Args:
        target_fps: Frames per second the camera should analyse (``detect.fps``).
        window_s: Seconds the achieved rate is averaged over; no verdict before a
            whole window has been seen.
    """

    target_fps: float
    window_s: float = WINDOW_S
    _samples: deque[tuple[float, int]] = field(default_factory=deque)
    _short: bool = False

    def update(self, now: float, analysed: int) -> float | None:
        """Record the analysed-frame counter at ``now``; the achieved rate if short.

        Args:
            now: Monotonic seconds.
            analysed: Frames analysed since the worker started (a running total).

        Returns:
            The achieved frames per second while the camera is short of its target,
            else None (on target, or not a whole window seen yet).
        """
        self._samples.append((now, analysed))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window_s:
            self._samples.popleft()
        t0, n0 = self._samples[0]
        if now - t0 < self.window_s:
            return None
        achieved = (analysed - n0) / (now - t0)
        limit = RECOVER_AT if self._short else SHORT_BELOW
        self._short = achieved < limit * self.target_fps
        return achieved if self._short else None

    def reset(self) -> None:
        """Forget the window (the source was not delivering: that is its own state)."""
        self._samples.clear()
        self._short = False


def shortfall_reason(achieved: float, target: float, delivered: float) -> str:
    """The health reason of a camera analysing ``achieved`` of ``target`` fps.

    Args:
        achieved: Frames analysed per second over the window.
        target: Configured analysis rate.
        delivered: Frames per second the source decodes; below the target, the
            camera itself is the limit, not this box.
    """
    cause = "the camera sends fewer" if delivered < SHORT_BELOW * target else "box over capacity"
    return f"analysing {achieved:.1f} fps of {target:g} configured ({cause})"
