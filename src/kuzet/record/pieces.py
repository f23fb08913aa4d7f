"""Redacted copies of recorded video made piece by piece, so playback starts at once.

A span's redacted copy used to be one re-encode of the whole joined span (up to
5 minutes of video) before anything played. Now each piece (one recorded
segment) is redacted on its own into a fragmented MP4 the console's player
appends to a Media Source as soon as it is ready; the whole redacted span (for
players without Media Source, and for exports) is the ready pieces joined back
to back, packets copied.

Redacting a piece alone must not weaken redaction at its edges, so each piece is
redacted with its neighbours in the index (:class:`~kuzet.record.redact.PieceContext`):
the last ``HOLD_S`` seconds of the segment before it are searched too (boxes are
held across the boundary) and so is the first frame of the segment after it.
A piece's copy is cached under ``cache/spans/<camera>/`` by the keys of the
segment and its neighbours (pruned with the other playback copies), so spans
that share segments (the sync page's, an event's clip, an export) share the work.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from pathlib import Path

from kuzet.record.index import SegmentIndex
from kuzet.record.redact import PieceContext, VideoRedactor, redact_video
from kuzet.record.segment import Segment

# What a browser's Media Source is told the pieces hold: H.264 High profile.
MIME = 'video/mp4; codecs="avc1.640028"'
ADJACENT = timedelta(seconds=1)  # neighbours at most this far apart are one recording
_locks = [threading.Lock() for _ in range(32)]  # one redaction of a piece at a time


def _lock(path: Path) -> threading.Lock:
    return _locks[int(hashlib.sha256(str(path).encode()).hexdigest()[:8], 16) % len(_locks)]


def _passes(piece: Path) -> Path:
    return piece.with_name(piece.name.replace(".piece.mp4", ".passes.json"))


def neighbours(index: SegmentIndex, segment: Segment) -> tuple[Segment | None, Segment | None]:
    """The camera's segments just before and just after ``segment`` (None at a gap)."""
    near = index.between(segment.camera_id, segment.start - ADJACENT, segment.end + ADJACENT)
    before = [s for s in near if s.key != segment.key and s.end <= segment.start + ADJACENT
              and s.start < segment.start]
    after = [s for s in near if s.key != segment.key and s.start >= segment.end - ADJACENT
             and s.start > segment.start]
    return (before[-1] if before else None), (after[0] if after else None)


class RedactedPieces:
    """Makes and caches the redacted copy of each recorded segment.

    Args:
        index: The segment index (for the neighbours).
        root: Media folder (segment keys are relative to it).
        cache: Folder of the playback copies (``<root>/cache/spans``).
        crf: x264 quality of the copies.
    """

    def __init__(self, index: SegmentIndex, root: Path, cache: Path, crf: int) -> None:
        self.index, self.root, self.cache, self.crf = index, root, cache, crf

    def target(self, key: str) -> tuple[Path, PieceContext] | None:
        """Where the redacted copy of segment ``key`` goes and its context (None:
        not indexed)."""
        segment = self.index.get(key)
        if segment is None:
            return None
        before, after = self._near(segment)
        path = self._path(before, segment, after)
        context = PieceContext(
            before=None if before is None else self.root / before.key,
            after=None if after is None else self.root / after.key,
            passes=_passes(path),
            before_passes=None if before is None else self._passes_of(before),
            after_passes=None if after is None else self._passes_of(after),
        )
        return path, context

    def _near(self, segment: Segment) -> list[Segment | None]:
        return [s if s is not None and (self.root / s.key).is_file() else None
                for s in neighbours(self.index, segment)]

    def _path(self, before: Segment | None, segment: Segment, after: Segment | None) -> Path:
        names = "|".join(s.key if s else "-" for s in (before, segment, after))
        digest = hashlib.sha256(f"{names}|{self.crf}".encode()).hexdigest()[:24]
        return self.cache / segment.camera_id / f"{digest}.piece.mp4"

    def _passes_of(self, segment: Segment) -> Path:
        """The saved detection passes of a neighbour's redacted copy (may not exist)."""
        near = self._near(segment)
        return _passes(self._path(near[0], segment, near[1]))

    def ready(self, key: str) -> bool:
        """True when the redacted copy of segment ``key`` exists now."""
        found = self.target(key)
        return found is not None and found[0].is_file()

    def piece(self, key: str, redactor: VideoRedactor) -> Path:
        """The redacted copy of segment ``key`` (fragmented MP4), made now if missing.

        Raises:
            LookupError: ``key`` is not an indexed segment.
            av.error.FFmpegError, OSError, ModelError: Redaction failed (nothing raw
                is ever returned instead).
        """
        found = self.target(key)
        if found is None:
            raise LookupError(f"no indexed segment {key!r}")
        path, context = found
        with _lock(path):
            if not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                redact_video(self.root / key, path, redactor, self.crf, context=context)
        return path
