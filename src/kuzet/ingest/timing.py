"""Timestamps, frame selection, pacing and rate measurement for video sources.

All durations are seconds. Frame selection works on timestamps, never on frame
counts, so a 7.5 fps source sampled at 5 fps keeps evenly spaced frames and a
stream that drops frames does not stretch time (STYLE.md, pitfall b8).
"""

from __future__ import annotations

import threading
import time
from fractions import Fraction

# A live stream whose clock runs this much ahead of (or behind) the wall clock
# between two frames has jumped (PTS wrap, encoder restart): re-anchor it.
LIVE_JUMP_S = 5.0
# When realtime pacing falls this far behind, restart the pacing clock instead of
# decoding flat out to catch up.
PACE_RESYNC_S = 1.0
DEFAULT_PERIOD_S = 1.0 / 25.0
# A file frame whose PTS lies at most this many periods before the previous one
# is a reordering artefact (AVI files with packed B-frames give decode-order PTS
# such as 4, 6, 5, 7): it keeps the file's clock instead of re-anchoring, which
# would add a period per reordered frame and stretch time by up to half again.
REORDER_PERIODS = 3.0
# Gap placed after the previous frame's timestamp for such a reordered frame.
REORDER_STEP_S = 1e-3


class Timeline:
    """Turns decoded frames into strictly increasing timestamps.

    A *pass* is one open of a source (or one loop over a file). Every pass starts
    right after the previous one ended, so looping files and reconnected streams
    keep timestamps increasing.

    Args:
        rate: Nominal frame rate of the source, if known (fallback when a frame
            has no PTS, and the gap added between passes).
        live: True for network streams (guards against PTS jumps).
    """

    def __init__(self, rate: float | None, live: bool) -> None:
        self.rate = rate if rate and rate > 0 else None
        self.live = live
        self.last_ts: float | None = None
        self._last_wall = 0.0
        self._period = 1.0 / self.rate if self.rate else DEFAULT_PERIOD_S
        self._anchor: float | None = None
        self._base = 0.0
        self._index = 0

    @property
    def period(self) -> float:
        """Seconds between frames (nominal, or the last observed gap)."""
        return self._period

    def start_pass(self) -> None:
        """Begin a new pass; its first frame follows the last one by one period."""
        self._anchor = None
        self._index = 0
        self._base = 0.0 if self.last_ts is None else self.last_ts + self._period

    def stamp(self, pts: int | None, time_base: Fraction | None, wall: float) -> float:
        """Timestamp (seconds) of the next decoded frame of this pass.

        Args:
            pts: The frame's presentation timestamp, or None.
            time_base: Seconds per PTS tick, or None.
            wall: time.time() at decode (used when nothing better exists).

        Returns:
            Seconds, strictly greater than the previous frame's.
        """
        raw = self._raw(pts, time_base, wall)
        self._index += 1
        if self._anchor is None:
            self._anchor = raw
        ts = self._base + (raw - self._anchor)
        last = self.last_ts
        if last is not None:
            jumped = self.live and abs((ts - last) - (wall - self._last_wall)) > LIVE_JUMP_S
            if not self.live and 0 < last - ts <= REORDER_PERIODS * self._period:
                ts = last + REORDER_STEP_S
            elif ts <= last or jumped:
                gap = max(wall - self._last_wall, self._period) if jumped else self._period
                self._base, self._anchor = last + gap, raw
                ts = self._base
            elif not self.rate:
                self._period = ts - last
        self.last_ts, self._last_wall = ts, wall
        return ts

    def _raw(self, pts: int | None, time_base: Fraction | None, wall: float) -> float:
        if pts is not None and time_base:
            return float(pts * time_base)
        if self.rate:
            return self._index / self.rate
        return wall


class FrameSampler:
    """Keeps frames spaced ``1/fps`` seconds apart, chosen by timestamp.

    The schedule is a fixed grid (0, 1/fps, 2/fps, ...) from the first frame, so
    jitter does not accumulate; after a gap it restarts from the frame seen.

    Args:
        fps: Frames to keep per second.
        source_rate: The source's nominal rate, if known (sets the tolerance).

    Example:
        >>> s = FrameSampler(5.0, 10.0)
        >>> [t for t in (0.0, 0.1, 0.2, 0.3, 0.4) if s.keep(t)]
        [0.0, 0.2, 0.4]
    """

    def __init__(self, fps: float, source_rate: float | None = None) -> None:
        if fps <= 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        self.period = 1.0 / fps
        src_period = 1.0 / source_rate if source_rate and source_rate > 0 else self.period
        # Accept a frame slightly early: PTS jitter of a fraction of a frame.
        self._tolerance = 0.25 * min(self.period, src_period)
        self._due: float | None = None

    def keep(self, ts: float) -> bool:
        """True when the frame at ``ts`` should be analysed."""
        if self._due is not None and ts < self._due - self._tolerance:
            return False
        if self._due is None or ts >= self._due + self.period:
            self._due = ts + self.period
        else:
            self._due += self.period
        return True


class Pacer:
    """Sleeps so frames come out at the pace of their timestamps.

    Args:
        stop: Set to interrupt a sleep.
        realtime: False makes ``wait`` a no-op (flat out).
    """

    def __init__(self, stop: threading.Event, realtime: bool) -> None:
        self._stop = stop
        self._realtime = realtime
        self._origin: tuple[float, float] | None = None

    def wait(self, ts: float) -> bool:
        """Sleep until the frame at ``ts`` is due; False when stopped."""
        if not self._realtime:
            return not self._stop.is_set()
        now = time.monotonic()
        if self._origin is None:
            self._origin = (now, ts)
        delay = self._origin[0] + (ts - self._origin[1]) - now
        if delay < -PACE_RESYNC_S:
            self._origin = (now, ts)
        elif delay > 0:
            return not self._stop.wait(delay)
        return not self._stop.is_set()


class RateMeter:
    """Events per second over a sliding window of about ``window`` seconds."""

    def __init__(self, window: float = 2.0) -> None:
        self._window = window
        self._start = time.monotonic()
        self._count = 0
        self.rate = 0.0

    def tick(self, now: float | None = None) -> None:
        """Count one event."""
        now = time.monotonic() if now is None else now
        self._count += 1
        elapsed = now - self._start
        if elapsed >= self._window:
            self.rate = self._count / elapsed
            self._start, self._count = now, 0


def scaled_size(src_w: int, src_h: int, width: int, sar: float = 1.0) -> tuple[int, int]:
    """Analysis size for a source: ``width`` wide, aspect kept, height even.

    Args:
        src_w: Coded width of the source.
        src_h: Coded height of the source.
        width: Target width.
        sar: Sample (pixel) aspect ratio; anamorphic sources have != 1.

    Returns:
        (width, height).

    Example:
        >>> scaled_size(768, 576, 640)
        (640, 480)
    """
    if src_w <= 0 or src_h <= 0 or width <= 0:
        raise ValueError(f"sizes must be > 0, got source {src_w}x{src_h}, width {width}")
    display_w = src_w * (sar if sar > 0 else 1.0)
    height = max(2, int(round(width * src_h / display_w / 2.0)) * 2)
    return width, height
