"""One recorded segment: a short fragmented MP4, written under a temp name, renamed on close.

Segments are fragmented MP4 (``empty_moov`` + a fragment per keyframe or second):
a file cut short by a killed process stays readable up to its last fragment, so
start-up repair can keep what was written (``kuzet.record.repair``). Only closed
segments carry their final name and enter the index.

Keys: ``recordings/<camera>/<YYYYMMDD>/<start_ms>.mp4`` (closed) and
``.partial-<start_ms>.mp4`` in the same folder (being written).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

PREFIX = "recordings"
PARTIAL = ".partial-"
# Fragmented MP4 that stays playable when cut short; one fragment per keyframe or second,
# flushed to the file as it is cut (else a 256 KiB I/O buffer holds seconds of video).
MP4_OPTIONS = {
    "movflags": "frag_keyframe+empty_moov+default_base_moof",
    "frag_duration": "1000000",
    "flush_packets": "1",
}
# Codecs an MP4 carries and Chromium plays as they are: copied, never re-encoded.
COPY_CODECS = frozenset({"h264", "hevc"})
CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Segment:
    """A closed, indexed piece of a camera's recording.

    Attributes:
        camera_id: Camera.
        start: UTC start of the first frame.
        end: UTC end of the last frame.
        key: Media key of the MP4 file.
        size: Bytes.
        codec: Video codec in the file (``h264``, ``hevc``).
        sha256: Hex SHA-256 of the file.
        transcoded: True when the source codec was re-encoded to H.264.
    """

    camera_id: str
    start: datetime
    end: datetime
    key: str
    size: int
    codec: str
    sha256: str
    transcoded: bool = False

    @property
    def duration(self) -> float:
        """Seconds covered."""
        return (self.end - self.start).total_seconds()


def segment_key(camera_id: str, start: float) -> str:
    """The closed key of a segment starting at UNIX time ``start``."""
    day = datetime.fromtimestamp(start, UTC).strftime("%Y%m%d")
    return f"{PREFIX}/{camera_id}/{day}/{int(round(start * 1000))}.mp4"


def partial_path(final: Path) -> Path:
    """Temp name (same folder) a segment is written under until it closes."""
    return final.with_name(PARTIAL + final.name)


def final_path(partial: Path) -> Path:
    """The closed name of a partial segment file."""
    return partial.with_name(partial.name.removeprefix(PARTIAL))


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Encoding:
    """How a transcoded source is re-encoded (x264)."""

    crf: int = 26
    preset: str = "veryfast"


class SegmentWriter:
    """Writes one segment: packets copied from ``template``, or frames encoded to H.264.

    Args:
        path: Final path (the file is written at ``partial_path(path)``).
        template: The input video stream (codec parameters, time base, rate).
        encoding: None to copy packets; else frames are encoded with these settings.

    Raises:
        OSError, av.error.FFmpegError: The file cannot be created.
    """

    def __init__(self, path: Path, template: Any, encoding: Encoding | None) -> None:
        self.path = path
        self.tmp = partial_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tb: Fraction = template.time_base
        self._first: int | None = None
        self._last_end: int = 0
        self._frames = 0
        self._out = av.open(str(self.tmp), "w", format="mp4", options=MP4_OPTIONS)
        try:
            self._stream = self._add_stream(template, encoding)
        except BaseException:
            self._out.close()
            raise
        self.transcoded = encoding is not None
        self.codec = "h264" if self.transcoded else str(template.codec_context.name)

    def _add_stream(self, template: Any, encoding: Encoding | None) -> Any:
        if encoding is None:
            stream = self._out.add_stream_from_template(template)
            stream.codec_tag = "hvc1" if template.codec_context.name == "hevc" else "avc1"
            return stream
        ctx = template.codec_context
        rate = template.average_rate or template.guessed_rate or Fraction(25)
        stream = self._out.add_stream("libx264", rate=rate)
        stream.width, stream.height = ctx.width & ~1, ctx.height & ~1
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = self._tb
        stream.codec_context.gop_size = max(1, round(float(rate)))
        stream.options = {"crf": str(encoding.crf), "preset": encoding.preset}
        return stream

    @property
    def seconds(self) -> float:
        """Seconds written so far."""
        return float((self._last_end - (self._first or 0)) * self._tb) if self._frames else 0.0

    @property
    def first_pts(self) -> int | None:
        """Input PTS of the first frame written (None before it)."""
        return self._first

    def _advance(self, pts: int, duration: int | None) -> int:
        if self._first is None:
            self._first = pts
        self._frames += 1
        self._last_end = max(self._last_end, pts + (duration or 1))
        return pts - self._first

    def write_packet(self, packet: Any) -> None:
        """Mux one input packet (copy mode); the packet is consumed."""
        pts = packet.pts if packet.pts is not None else packet.dts
        if pts is None:
            return
        offset = self._first if self._first is not None else pts
        self._advance(pts, packet.duration)
        packet.pts = pts - offset
        packet.dts = (packet.dts if packet.dts is not None else pts) - offset
        packet.stream = self._stream
        self._out.mux(packet)

    def write_frame(self, frame: Any) -> None:
        """Encode one decoded input frame (transcode mode)."""
        if frame.pts is None:
            return
        rel = self._advance(frame.pts, None)
        out = frame.reformat(width=self._stream.width, height=self._stream.height, format="yuv420p")
        out.pts, out.time_base = rel, self._tb
        self._out.mux(self._stream.encode(out))

    def close(self, camera_id: str, key: str, start: float) -> Segment | None:
        """Flush, close, rename to the final name; None (file removed) if empty.

        Args:
            camera_id: The camera (for the returned record).
            key: The segment's media key (its final path under the media root).
            start: UNIX time of the first frame.

        Raises:
            OSError, av.error.FFmpegError: The file cannot be finished.
        """
        try:
            if self.transcoded and self._frames:
                self._out.mux(self._stream.encode(None))
        finally:
            self._out.close()
        if not self._frames:
            self.tmp.unlink(missing_ok=True)
            return None
        os.replace(self.tmp, self.path)
        return Segment(
            camera_id=camera_id,
            start=datetime.fromtimestamp(start, UTC),
            end=datetime.fromtimestamp(start + self.seconds, UTC),
            key=key,
            size=self.path.stat().st_size,
            codec=self.codec,
            sha256=file_sha256(self.path),
            transcoded=self.transcoded,
        )

    def abort(self) -> None:
        """Close without renaming (after a write error); the partial stays for repair."""
        try:
            self._out.close()
        except (OSError, av.error.FFmpegError):
            pass
