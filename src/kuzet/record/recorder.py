"""A camera's recorder: the ingest packet tap that cuts the stream into segments.

H.264/H.265 packets are remuxed as they come (no decoding, no re-encoding);
other codecs (MJPEG, MPEG-4 part 2, ...) are encoded once to H.264 from the
frames the source decodes anyway. A segment is closed at the first keyframe
after ``segment_s`` seconds, at a reconnect or loop (every source pass starts a
new segment, so timestamps never jump inside one), and on stop.

Write errors (read-only or full disk) never reach the source: the recorder
drops the segment, reports ``error`` in its health and tries again at the next
keyframe after ``RETRY_S`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av.error

from kuzet.config.record import RecordConfig
from kuzet.record.segment import COPY_CODECS, Encoding, Segment, SegmentWriter, segment_key

log = logging.getLogger(__name__)

RETRY_S = 5.0
WRITE_ERRORS: tuple[type[BaseException], ...] = (OSError, av.error.FFmpegError)


@dataclass(frozen=True, slots=True)
class RecordHealth:
    """What the recorder reports: ``recording``, ``idle`` or ``error`` and why."""

    state: str
    reason: str = ""
    segments: int = 0
    bytes_written: int = 0
    transcoding: bool = False


class Recorder:
    """Records one camera into segments under ``media_root`` (a ``PacketTap``).

    Args:
        camera_id: Camera.
        cfg: The camera's recording settings.
        media_root: Media folder (segments go under ``recordings/``).
        on_segment: Called with every closed segment (index it, send it on).
        clock: UNIX time source (tests).

    Example:
        >>> rec = Recorder("gate", RecordConfig(enabled=True), root, index.add)  # doctest: +SKIP
        >>> source = ReconnectingSource("gate", cfg, 5, 640, tap=rec)  # doctest: +SKIP
    """

    def __init__(
        self,
        camera_id: str,
        cfg: RecordConfig,
        media_root: Path,
        on_segment: Callable[[Segment], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.camera_id = camera_id
        self.cfg = cfg
        self.root = Path(media_root)
        self._on_segment = on_segment
        self._clock = clock
        self._lock = threading.Lock()
        self._stream: Any = None
        self._anchor: tuple[float, int] | None = None  # (wall, pts) of the pass's first frame
        self._writer: SegmentWriter | None = None
        self._start = 0.0
        self._retry_at = 0.0
        self._health = RecordHealth("idle")
        self._key = ""
        self.wants_frames = False

    @property
    def health(self) -> RecordHealth:
        """The recorder's current state (thread-safe)."""
        with self._lock:
            return self._health

    def open(self, stream: Any, wall: float) -> None:
        """A new source pass: the next keyframe starts a new segment."""
        self._finish()
        self._stream = stream
        self._anchor = None
        self.wants_frames = stream.codec_context.name not in COPY_CODECS
        self._update(transcoding=self.wants_frames)

    def packet(self, packet: Any) -> None:
        """Remux one packet (copy mode); transcoding waits for its frame."""
        if self.wants_frames or self._stream is None:
            return
        pts = packet.pts if packet.pts is not None else packet.dts
        if pts is None or not self._ready(pts, bool(packet.is_keyframe)):
            return
        self._guard(lambda w: w.write_packet(packet))

    def frame(self, frame: Any) -> None:
        """Encode one decoded frame (transcode mode)."""
        if not self.wants_frames or self._stream is None or frame.pts is None:
            return
        if self._ready(frame.pts, keyframe=True):
            self._guard(lambda w: w.write_frame(frame))

    def close(self) -> None:
        """The pass ended: close the open segment."""
        self._finish()
        self._stream = None

    def _wall(self, pts: int) -> float:
        if self._anchor is None:
            self._anchor = (self._clock(), pts)
        wall0, pts0 = self._anchor
        return wall0 + float((pts - pts0) * Fraction(self._stream.time_base))

    def _ready(self, pts: int, keyframe: bool) -> bool:
        """Roll segments over; True when a writer is open for this frame."""
        writer = self._writer
        if writer is not None and not (keyframe and writer.seconds >= self.cfg.segment_s):
            return True
        if not keyframe:
            return False
        self._finish()
        now = self._clock()
        if now < self._retry_at:
            return False
        self._start = self._wall(pts)
        key = segment_key(self.camera_id, self._start)
        encoding = Encoding(self.cfg.crf, self.cfg.preset) if self.wants_frames else None
        try:
            self._writer = SegmentWriter(self.root / key, self._stream, encoding)
        except WRITE_ERRORS as exc:
            self._fail(exc)
            return False
        self._key = key
        self._update(state="recording", reason="")
        return True

    def _guard(self, write: Callable[[SegmentWriter], None]) -> None:
        writer = self._writer
        if writer is None:
            return
        try:
            write(writer)
        except WRITE_ERRORS as exc:
            writer.abort()
            self._writer = None
            self._fail(exc)

    def _finish(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            segment = writer.close(self.camera_id, self._key, self._start)
        except WRITE_ERRORS as exc:
            self._fail(exc)
            return
        if segment is None:
            return
        health = self.health
        self._update(
            state="recording",
            reason="",
            segments=health.segments + 1,
            bytes_written=health.bytes_written + segment.size,
        )
        self._on_segment(segment)

    def _fail(self, exc: BaseException) -> None:
        log.warning("camera %s: recording failed: %s", self.camera_id, exc)
        self._retry_at = self._clock() + RETRY_S
        self._update(state="error", reason=f"recording failed: {exc}")

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._health = replace(self._health, **changes)
