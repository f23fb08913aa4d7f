"""Playback: a camera's segments over a time span joined into one MP4 a browser seeks in.

Segments are joined back to back by copying packets (no re-encoding); gaps
(the camera was offline) are left out, and ``SpanFile.pieces`` maps each piece
of the file to its wall-clock start, so a player can show real times and seek
across segment boundaries in one ``<video>``. Joined files are cached under
``cache/spans/`` (a key from the segment keys) and rebuilt when missing.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from kuzet.config.record import RecordConfig
from kuzet.record.index import SegmentIndex
from kuzet.record.pieces import RedactedPieces
from kuzet.record.redact import VideoRedactor
from kuzet.record.segment import Segment
from kuzet.record.spans import Span, event_span

CACHE = "cache/spans"
_lock = threading.Lock()  # one join at a time (disk, CPU)


@dataclass(frozen=True, slots=True)
class Piece:
    """One segment inside a joined file: where it starts in the file and on the clock."""

    offset_s: float
    start: datetime
    duration_s: float
    key: str


@dataclass(frozen=True, slots=True)
class SpanFile:
    """A joined MP4 of a span and the map of its pieces."""

    path: Path
    pieces: tuple[Piece, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready map (the API adds the media URL)."""
        return {
            "start": self.pieces[0].start.isoformat(),
            "duration_s": round(sum(p.duration_s for p in self.pieces), 3),
            "pieces": [
                {"offset_s": round(p.offset_s, 3), "start": p.start.isoformat(),
                 "duration_s": round(p.duration_s, 3), "key": p.key}
                for p in self.pieces
            ],
        }


def join_segments(paths: list[Path], target: Path) -> list[float]:
    """Copy the packets of ``paths`` back to back into ``target`` (faststart MP4).

    Returns:
        Each input's duration in seconds, as written.

    Raises:
        av.error.FFmpegError, OSError: A segment cannot be read or the file written.
    """
    durations: list[float] = []
    tmp = target.with_name(".tmp-" + target.name)
    with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        ost: Any = None
        offset = Fraction(0)
        for path in paths:
            with av.open(str(path)) as src:
                stream = src.streams.video[0]
                ost = ost or out.add_stream_from_template(stream)
                end = _copy(src, stream, (out, ost), offset)
                durations.append(float(end - offset))
                offset = end
    tmp.replace(target)
    return durations


def _copy(src: Any, stream: Any, output: tuple[Any, Any], offset: Fraction) -> Fraction:
    """Mux ``stream``'s packets into ``output`` (container, stream) shifted by ``offset``
    seconds; returns the end time in seconds."""
    out, ost = output
    tb = Fraction(stream.time_base or 1)
    shift = round(offset / tb)
    first: int | None = None
    end = offset
    for packet in src.demux(stream):
        if not packet.size or packet.pts is None:
            continue
        first = packet.pts if first is None else first
        end = max(end, offset + (packet.pts - first + (packet.duration or 1)) * tb)
        packet.pts = packet.pts - first + shift
        packet.dts = (packet.dts if packet.dts is not None else packet.pts) - first + shift
        packet.stream = ost
        out.mux(packet)
    return end


class RecordedCameras:
    """The segment index, the media root and each camera's ``record`` settings: what
    playback and recording retention both work from."""

    def __init__(
        self,
        index: SegmentIndex,
        media_root: Path,
        default: RecordConfig,
        cameras: Mapping[str, RecordConfig],
    ) -> None:
        self.index = index
        self.root = Path(media_root)
        self.default = default
        self.cameras = dict(cameras)

    def config(self, camera_id: str) -> RecordConfig:
        """The camera's recording settings (the global ones for an unknown camera)."""
        return self.cameras.get(camera_id, self.default)


class Recordings(RecordedCameras):
    """A deployment's recordings for the API: segments, spans, joined files.

    Args:
        index: The segment index.
        media_root: Media folder (segment keys are relative to it).
        default: The global ``record`` section.
        cameras: Each camera's merged ``record`` section.
    """

    @property
    def pieces(self) -> RedactedPieces:
        """Redacted copies of single segments (progressive playback, joined copies)."""
        return RedactedPieces(self.index, self.root, self.root / CACHE, self.default.crf)

    def span_of_event(self, camera_id: str, started: datetime, ended: datetime | None) -> Span:
        """The event's clip span with the camera's pre_s/post_s."""
        return event_span(camera_id, started, ended, self.config(camera_id), datetime.now(UTC))

    def segments(self, camera_id: str, start: datetime, end: datetime) -> list[Segment]:
        """Indexed segments of the camera overlapping ``[start, end]``, oldest first."""
        return self.index.between(camera_id, start, end)

    def span_file(self, camera_id: str, start: datetime, end: datetime) -> SpanFile:
        """The joined MP4 of the span (cached).

        Raises:
            LookupError: No recorded segment overlaps the span.
            av.error.FFmpegError, OSError: A segment is unreadable.
        """
        segs = [s for s in self.segments(camera_id, start, end) if (self.root / s.key).is_file()]
        if not segs:
            raise LookupError(f"no recording of {camera_id} between {start} and {end}")
        digest = hashlib.sha256("\n".join(s.key for s in segs).encode()).hexdigest()[:24]
        target = self.root / CACHE / camera_id / f"{digest}.mp4"
        with _lock:
            if target.is_file():
                durations = [s.duration for s in segs]
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                durations = join_segments([self.root / s.key for s in segs], target)
        pieces, offset = [], 0.0
        for seg, seconds in zip(segs, durations, strict=True):
            pieces.append(Piece(offset, seg.start, seconds, seg.key))
            offset += seconds
        return SpanFile(target, tuple(pieces))

    def redacted(self, span: SpanFile, redactor: VideoRedactor) -> SpanFile:
        """The span's redacted copy (faces and text blurred, re-encoded): its pieces'
        redacted copies (:mod:`kuzet.record.pieces`) joined, made and cached when missing.

        Raises:
            av.error.FFmpegError, OSError, ModelError: Redaction failed; never fall
                back to the raw file.
        """
        target = span.path.with_name(span.path.stem + ".redacted.mp4")
        parts = [self.pieces.piece(p.key, redactor) for p in span.pieces]
        with _lock:
            if not target.is_file():
                join_segments(parts, target)
        return SpanFile(target, span.pieces)
