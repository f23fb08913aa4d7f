"""A camera source that never gives up: reconnects with backoff, reports health.

A reader thread decodes into a small queue so that a slow consumer never makes a
live stream's buffers overflow: for live streams and realtime-paced files the
oldest queued frame is dropped (and counted) when the queue is full; fast-paced
files block instead, so no frame of a file under analysis is lost. ``frames()``
polls the queue, so ``close()`` from any thread ends it within ~0.1 s even
while the reader is stuck inside FFmpeg (an open or read can block up to the
configured timeout; the reader is a daemon thread and exits after it).
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import random
import threading
import time
from collections.abc import Iterator

from kuzet.config.cameras import SourceConfig
from kuzet.core.errors import SourceUnavailable
from kuzet.core.types import CameraHealth, CameraState, Frame
from kuzet.ingest.source import VideoSource, is_stream_url
from kuzet.ingest.tap import PacketTap

log = logging.getLogger(__name__)

POLL_S = 0.1
# A session that delivered frames this long resets the backoff to its start.
STABLE_S = 10.0
# No frame for this long (and at least 3 analysis periods) marks a camera degraded.
STALL_S = 2.0
# Undecodable packets within this many seconds mark a camera degraded.
CORRUPT_WINDOW_S = 10.0
_END = object()


class Backoff:
    """Exponential reconnect delays with jitter: initial, 2x, 4x, ... up to ``maximum``.

    Args:
        initial: First delay in seconds.
        maximum: Largest delay in seconds (before jitter).
        jitter: Each delay is multiplied by a random factor in ``1 +- jitter``,
            so cameras that failed together do not reconnect in lockstep.
        rng: Random source (seed it in tests).

    Example:
        >>> b = Backoff(1.0, 4.0, jitter=0.0)
        >>> [b.next() for _ in range(4)]
        [1.0, 2.0, 4.0, 4.0]
    """

    def __init__(
        self, initial: float, maximum: float, jitter: float = 0.2, rng: random.Random | None = None
    ) -> None:
        if initial <= 0 or maximum <= 0 or not 0 <= jitter < 1:
            raise ValueError(
                f"need initial > 0, maximum > 0, 0 <= jitter < 1; got {initial}, {maximum}, "
                f"{jitter}"
            )
        self.initial = initial
        self.maximum = max(maximum, initial)
        self.jitter = jitter
        self._rng = rng or random.Random()
        self._attempt = 0

    def next(self) -> float:
        """The next delay in seconds."""
        base = min(self.maximum, self.initial * 2.0 ** min(self._attempt, 62))
        self._attempt += 1
        return base * (1.0 + self._rng.uniform(-self.jitter, self.jitter))

    def reset(self) -> None:
        """Start again from ``initial`` (after a stable connection)."""
        self._attempt = 0


class _Continuity:
    """Keeps ``seq`` and ``ts`` increasing across reconnects (each open restarts them)."""

    def __init__(self, period: float) -> None:
        self._period = period
        self._last: Frame | None = None
        self._offsets: tuple[float, int] | None = None

    def new_session(self) -> None:
        self._offsets = None

    def map(self, frame: Frame) -> Frame:
        if self._offsets is None:
            last = self._last
            if last is None:
                self._offsets = (0.0, 0)
            else:
                # The outage is real time: rules timing a loiter must see the gap.
                gap = max(frame.wall - last.wall, self._period)
                self._offsets = (last.ts + gap - frame.ts, last.seq + 1 - frame.seq)
        dts, dseq = self._offsets
        if dts or dseq:
            frame = dataclasses.replace(frame, ts=frame.ts + dts, seq=frame.seq + dseq)
        self._last = frame
        return frame


class ReconnectingSource:
    """A ``VideoSource`` that reopens on failure, forever, until ``close()``.

    Failures (open errors, read timeouts, the end of a stream) are retried after
    ``cfg.reconnect_initial`` seconds, doubling up to ``cfg.reconnect_max``, with
    jitter. ``frames()`` never raises for a failing source; it ends only on
    ``close()`` or at the end of a file that does not loop.

    Args:
        camera_id: Camera name.
        cfg: The source settings.
        fps: Analysis frames per second.
        width: Analysis width in pixels.
        queue_size: Frames buffered between the reader thread and the consumer.
        tap: Optional second consumer of every packet (the recorder); each
            reconnect is a new pass (``tap.open`` ... ``tap.close``).

    Example:
        >>> src = ReconnectingSource("gate", cfg, fps=5, width=640)  # doctest: +SKIP
        >>> threading.Timer(60, src.close).start()  # doctest: +SKIP
        >>> for frame in src.frames(): ...  # doctest: +SKIP
    """

    def __init__(  # noqa: PLR0913
        self,
        camera_id: str,
        cfg: SourceConfig,
        fps: float,
        width: int,
        queue_size: int = 2,
        tap: PacketTap | None = None,
    ) -> None:
        self.camera_id = camera_id
        self.cfg = cfg
        self.fps = float(fps)
        self.width = int(width)
        self.dropped = 0
        self._stop = threading.Event()
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, queue_size))
        self._drop_when_full = is_stream_url(cfg.url) or cfg.pace == "realtime"
        self._lock = threading.Lock()
        self._state = CameraState.STARTING
        self._reason = ""
        self._reconnects = 0
        self._session: VideoSource | None = None
        self._last_wall: float | None = None
        self._thread: threading.Thread | None = None
        self._online_since: float | None = None
        self._tap = tap

    @property
    def health(self) -> CameraHealth:
        """Current health: state, reason, reconnects, last frame time, input fps."""
        with self._lock:
            state, reason, session = self._state, self._reason, self._session
            last_wall, reconnects = self._last_wall, self._reconnects
        fps_in = (
            session.health.fps_in if session is not None and state is CameraState.ONLINE else 0.0
        )
        stall = max(STALL_S, 3.0 / self.fps)
        if state is CameraState.ONLINE and last_wall is not None:
            idle = time.time() - last_wall
            if idle > stall:
                state, reason, fps_in = CameraState.DEGRADED, f"no frame for {idle:.1f} s", 0.0
            elif session is not None and time.time() - session.last_corrupt_wall < CORRUPT_WINDOW_S:
                state = CameraState.DEGRADED
                reason = f"undecodable packets ({session.corrupt_packets} since connecting)"
        return CameraHealth(
            camera_id=self.camera_id,
            state=state,
            reason=reason,
            last_frame_wall=last_wall,
            reconnects=reconnects,
            fps_in=fps_in,
        )

    def close(self) -> None:
        """Stop reading; ``frames()`` returns promptly. Safe from any thread."""
        self._stop.set()
        with self._lock:
            session = self._session
        if session is not None:
            session.close()

    def frames(self) -> Iterator[Frame]:
        """Frames from the source across reconnects (``seq``/``ts`` keep increasing).

        Yields:
            Frames at the analysis rate and width.
        """
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._read_forever, name=f"ingest-{self.camera_id}", daemon=True
            )
            self._thread.start()
        try:
            while not self._stop.is_set():
                try:
                    item = self._queue.get(timeout=POLL_S)
                except queue.Empty:
                    continue
                if item is _END:
                    return
                assert isinstance(item, Frame)
                yield item
        finally:
            # A consumer that stops iterating is done with the camera: free the reader.
            self.close()

    def _read_forever(self) -> None:
        backoff = Backoff(self.cfg.reconnect_initial, self.cfg.reconnect_max)
        continuity = _Continuity(1.0 / self.fps)
        while not self._stop.is_set():
            try:
                if self._run_session(continuity):
                    break
                continue
            except SourceUnavailable as exc:
                reason = str(exc)
            except Exception as exc:  # noqa: BLE001 - stream boundary: log, count, retry
                log.exception("camera %s: unexpected source error", self.camera_id)
                reason = f"{type(exc).__name__}: {exc}"
            if self._stop.is_set():
                break
            if self._online_since is not None and time.monotonic() - self._online_since >= STABLE_S:
                backoff.reset()
            delay = backoff.next()
            self._set_offline(reason, delay)
            if self._stop.wait(delay):
                break
            with self._lock:
                self._reconnects += 1
        self._put(_END, block=True)

    def _run_session(self, continuity: _Continuity) -> bool:
        """Read one open of the source; True when a file ended normally."""
        source = VideoSource(
            self.camera_id, self.cfg, self.fps, self.width, stop=self._stop, tap=self._tap
        )
        with self._lock:
            self._session = source
        continuity.new_session()
        self._online_since = None
        for frame in source.frames():
            if self._online_since is None:
                self._online_since = time.monotonic()
            with self._lock:
                if self._state is not CameraState.ONLINE:
                    log.info("camera %s online", self.camera_id)
                self._state, self._reason, self._last_wall = CameraState.ONLINE, "", frame.wall
            self._put(continuity.map(frame), block=not self._drop_when_full)
        return not self._stop.is_set()

    def _set_offline(self, reason: str, delay: float) -> None:
        log.warning("camera %s offline: %s (retry in %.1f s)", self.camera_id, reason, delay)
        with self._lock:
            self._state = CameraState.OFFLINE
            self._reason = f"{reason} (retry in {delay:.1f} s)"
            self._session = None

    def _put(self, item: object, block: bool) -> None:
        while not self._stop.is_set() or item is _END:
            try:
                if block:
                    self._queue.put(item, timeout=POLL_S)
                else:
                    self._queue.put_nowait(item)
                return
            except queue.Full:
                if item is _END and self._stop.is_set():
                    return
                if not block:
                    self._drop_oldest()

    def _drop_oldest(self) -> None:
        try:
            self._queue.get_nowait()
            self.dropped += 1
        except queue.Empty:
            pass
