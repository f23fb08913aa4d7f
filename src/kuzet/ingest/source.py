"""Decode one camera source with PyAV into analysis-ready ``Frame`` objects.

Every packet is decoded (inter-coded video needs it), but only the frames the
analysis rate keeps are converted to BGR, and libswscale scales them to the
analysis width during that conversion, which is the cheap place to do it.

Sources are input too: a source whose frames exceed ``source.max_pixels``
(checked on the stream header before anything is decoded, and on every decoded
frame since a stream may change size) or a file longer than
``source.max_duration`` is refused with :class:`SourceRejected`, naming the
camera and the file.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import av
import av.error

from kuzet.config.cameras import SourceConfig
from kuzet.core.errors import SourceUnavailable
from kuzet.core.types import CameraHealth, CameraState, Frame
from kuzet.ingest.tap import PacketTap
from kuzet.ingest.timing import FrameSampler, Pacer, RateMeter, Timeline, scaled_size

log = logging.getLogger(__name__)

STREAM_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "udp", "tcp", "srt")
# A stream is given up (and reconnected) after this many undecodable packets in a row.
MAX_CORRUPT_RUN = 100
# av raises these for I/O, protocol and codec failures; OSError covers timeouts.
AV_ERRORS: tuple[type[BaseException], ...] = (av.error.FFmpegError, OSError)


class SourceRejected(SourceUnavailable):
    """The source is over a limit (``source.max_pixels``, ``source.max_duration``)."""


def is_stream_url(url: str) -> bool:
    """True for network stream URLs (rtsp, rtmp, http(s), ...), False for files."""
    scheme, sep, _ = url.partition("://")
    return bool(sep) and scheme.lower() in STREAM_SCHEMES


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (safe for logs and health reasons).

    Example:
        >>> redact_url("rtsp://admin:secret@10.0.0.5/stream1")
        'rtsp://admin:***@10.0.0.5/stream1'
    """
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    userinfo, _, host = rest.partition("@")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in userinfo else url


def open_options(cfg: SourceConfig) -> dict[str, str]:
    """FFmpeg demuxer/protocol options for a source.

    Timeouts are in microseconds. rtsp's and http's ``timeout`` is the socket
    timeout; rtmp's ``timeout`` would switch it to *listen* mode, so it is not set.
    """
    if not is_stream_url(cfg.url):
        return {}
    scheme = cfg.url.partition("://")[0].lower()
    micros = str(int(cfg.timeout * 1_000_000))
    options = {"rw_timeout": micros, "fflags": "+discardcorrupt"}
    if scheme in ("rtsp", "rtsps"):
        options.update(rtsp_transport=cfg.rtsp_transport, timeout=micros)
    elif scheme in ("http", "https"):
        options["timeout"] = micros
    return options


@dataclass
class _Pass:
    """State of one open container."""

    container: Any
    stream: Any
    size: tuple[int, int]


class VideoSource:
    """One camera source: a file or a stream, decoded at the analysis rate.

    Args:
        camera_id: Camera name, copied into every frame.
        cfg: The source settings (URL, pacing, loop, timeouts).
        fps: Analysis frames per second; frames between are decoded, not converted.
        width: Analysis width in pixels (height follows the aspect, even).
        stop: Event that ends ``frames()`` when set (``close()`` sets it).
        tap: Optional second consumer of every packet (the recorder), fed
            before decoding so analysis never slows or drops what it gets.

    Example:
        >>> src = VideoSource("gate", SourceConfig(url="clip.mp4", pace="fast"), fps=5, width=640)
        >>> for frame in src.frames():  # doctest: +SKIP
        ...     print(frame.seq, frame.ts, frame.shape)
    """

    def __init__(
        self,
        camera_id: str,
        cfg: SourceConfig,
        fps: float,
        width: int,
        stop: threading.Event | None = None,
        tap: PacketTap | None = None,
    ) -> None:
        if fps <= 0 or width <= 0:
            raise ValueError(f"fps and width must be > 0, got fps={fps}, width={width}")
        self.camera_id = camera_id
        self.cfg = cfg
        self.fps = float(fps)
        self.width = int(width)
        self.live = is_stream_url(cfg.url)
        self._stop = stop if stop is not None else threading.Event()
        self._meter = RateMeter()
        self._last_wall: float | None = None
        self._video_t0: float | None = None
        self._duration = 0.0  # seconds of the file (0 = unknown or a stream)
        self._state = CameraState.STARTING
        self._decoded = 0
        self.corrupt_packets = 0
        self.last_corrupt_wall = 0.0
        self._label = redact_url(cfg.url)
        self._tap = tap

    @property
    def health(self) -> CameraHealth:
        """Snapshot of the decoding state (online once frames flow)."""
        return CameraHealth(
            camera_id=self.camera_id,
            state=self._state,
            last_frame_wall=self._last_wall,
            fps_in=round(self._meter.rate, 2),
        )

    def close(self) -> None:
        """Stop ``frames()`` at the next frame (safe from another thread)."""
        self._stop.set()

    def frames(self) -> Iterator[Frame]:
        """Decoded frames at the analysis rate and width.

        Files end the iterator at their end unless ``loop`` is set; then they
        restart with ``seq`` and ``ts`` continuing.

        Yields:
            Frames with ``ts`` from the PTS (seconds, first frame at 0).

        Raises:
            SourceUnavailable: The source cannot be opened or read, or a stream ended.
        """
        timeline: Timeline | None = None
        pacer = Pacer(self._stop, realtime=self.cfg.pace == "realtime" and not self.live)
        while not self._stop.is_set():
            current = self._open()
            try:
                if timeline is None:
                    timeline = Timeline(_rate(current.stream), self.live)
                sampler = FrameSampler(self.fps, timeline.rate)
                timeline.start_pass()
                before = self._decoded
                for frame in self._decode(current, timeline, sampler):
                    if not pacer.wait(frame.ts):
                        return
                    yield frame
            finally:
                if self._tap is not None:
                    self._tap.close()
                current.container.close()
            if self._stop.is_set() or not (self.live or self.cfg.loop):
                return
            if self._decoded == before:
                raise SourceUnavailable(f"no frame could be decoded from {self._label}")
            if self.live:
                raise SourceUnavailable(f"stream ended: {self._label}")

    def _describe(self, exc: BaseException) -> str:
        # FFmpeg errors repeat the URL; keep its password out of logs and health.
        return str(exc).replace(self.cfg.url, self._label)

    def _open(self) -> _Pass:
        url = self.cfg.url
        if not self.live and not os.path.isfile(url):
            raise SourceUnavailable(f"video file not found: {url}")
        try:
            container = av.open(
                url,
                container_options=open_options(self.cfg),
                timeout=(self.cfg.timeout, self.cfg.timeout),
            )
        except AV_ERRORS as exc:
            raise SourceUnavailable(f"cannot open {self._label}: {self._describe(exc)}") from exc
        if not container.streams.video:
            container.close()
            raise SourceUnavailable(f"no video stream in {self._label}")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if not self.live:
            self._duration = _duration_s(container, stream)
        ctx = stream.codec_context
        try:
            self._check_size(ctx.width, ctx.height)
            self._check_duration(self._duration, "declares")
        except SourceRejected:
            container.close()
            raise
        sar = stream.sample_aspect_ratio
        size = scaled_size(ctx.width, ctx.height, self.width, float(sar) if sar else 1.0)
        if self._tap is not None:
            self._tap.open(stream, time.time())
        return _Pass(container, stream, size)

    def _check_size(self, width: int, height: int) -> None:
        if width * height > self.cfg.max_pixels:
            raise SourceRejected(
                f"camera {self.camera_id}: {self._label} has {width}x{height} frames "
                f"({width * height} pixels); the limit is source.max_pixels = "
                f"{self.cfg.max_pixels}"
            )

    def _check_duration(self, seconds: float, how: str) -> None:
        if not self.live and seconds > self.cfg.max_duration:
            raise SourceRejected(
                f"camera {self.camera_id}: {self._label} {how} {seconds:.0f} s of video; "
                f"the limit is source.max_duration = {self.cfg.max_duration:g} s"
            )

    def _decode(self, current: _Pass, timeline: Timeline, sampler: FrameSampler) -> Iterator[Frame]:
        first_ts: float | None = None
        for decoded in self._raw_frames(current):
            self._check_size(decoded.width, decoded.height)
            wall = time.time()
            self._meter.tick()
            self._last_wall, self._state = wall, CameraState.ONLINE
            seq = self._decoded
            self._decoded += 1
            ts = timeline.stamp(decoded.pts, decoded.time_base, wall)
            first_ts = ts if first_ts is None else first_ts
            self._check_duration(ts - first_ts, "runs past")
            if not sampler.keep(ts):
                continue
            w, h = current.size
            image = decoded.to_ndarray(format="bgr24", width=w, height=h)
            yield Frame(self.camera_id, seq, ts, self._frame_wall(ts, wall), image)

    def _frame_wall(self, ts: float, wall: float) -> float:
        # A file analysed flat out runs faster than its own clock: give its frames
        # wall times that follow the video, so event times and durations read as
        # video time. The timeline is anchored so that the file ends when its
        # analysis started: no time lies in the future (issue 14).
        if self.cfg.pace != "fast" or self.live:
            return wall
        if self._video_t0 is None:
            self._video_t0 = wall - ts - self._duration
        return min(self._video_t0 + ts, time.time())

    def _raw_frames(self, current: _Pass) -> Iterator[Any]:
        corrupt_run = [0]
        tap = self._tap
        packets = current.container.demux(current.stream)
        while not self._stop.is_set():
            try:
                packet = next(packets)
            except StopIteration:
                return
            except AV_ERRORS as exc:
                raise SourceUnavailable(
                    f"read failed on {self._label}: {self._describe(exc)}"
                ) from exc
            decoded = self._decode_packet(packet, corrupt_run)
            if tap is not None:
                _feed(tap, packet, decoded)  # after decoding: muxing consumes the packet
            yield from decoded

    def _decode_packet(self, packet: Any, corrupt_run: list[int]) -> list[Any]:
        try:
            decoded: list[Any] = packet.decode()
        except av.error.InvalidDataError as exc:
            # One bad packet is not a dead camera; a long run of them is.
            self.corrupt_packets += 1
            self.last_corrupt_wall = time.time()
            corrupt_run[0] += 1
            if corrupt_run[0] >= MAX_CORRUPT_RUN:
                raise SourceUnavailable(
                    f"undecodable data from {self._label}: {self._describe(exc)}"
                ) from exc
            return []
        corrupt_run[0] = 0
        return decoded


def _feed(tap: PacketTap, packet: Any, decoded: list[Any]) -> None:
    """Give the tap the packet (recorded even if undecodable) and, if it asks, the frames."""
    if tap.wants_frames:
        for picture in decoded:
            tap.frame(picture)
    elif packet.size:
        tap.packet(packet)


def _rate(stream: Any) -> float | None:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return float(rate)
    return None


def _duration_s(container: Any, stream: Any) -> float:
    """Seconds of a file from its container or stream header; 0 when unknown."""
    if container.duration:
        return float(container.duration) / 1_000_000  # av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return 0.0
