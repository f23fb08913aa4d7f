"""Recorded video for signed evidence exports: event clips and a time span's video.

An event's clip is its span (start - pre_s .. end + post_s) joined from the
recorded segments; a time-range export also carries the video of the whole span
(:meth:`RecordedClips.span`). Without the unmask privilege the exported file is
the redacted copy (faces and text blurred, re-encoded); if redaction fails the
video is left out with the reason (``VideoUnavailable``), never exported raw.
``clips.json`` always carries the hashes of both the original joined file and
the exported one, each segment's hash as indexed when it was recorded, and who
recorded it, so the chain of custody runs from the recorder to the export.
"""

from __future__ import annotations

import hashlib
import platform
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

import av.error

from kuzet import __version__
from kuzet.core.errors import ModelError
from kuzet.privacy.audit import iso_utc
from kuzet.privacy.export import ExportClip, VideoUnavailable
from kuzet.record.playback import Recordings, SpanFile
from kuzet.record.redact import VideoRedactor
from kuzet.record.spans import Span
from kuzet.store.events import StoredEvent


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class RecordedClips:
    """Makes each exported event's clip, and a span's video, from the recordings.

    Args:
        recordings: The deployment's recordings.
        redactor: Blurs faces and text in the exported copy; None exports the
            original (the exporter may unmask). A failing redaction raises
            ``VideoUnavailable``: the export leaves that video out and says why.
        unmasked: True for events whose original the exporter may take (an
            unmask grant); None: every clip is redacted when ``redactor`` is set.
        camera_unmasked: True for cameras whose span video the exporter may take
            in the original (a grant covering the camera); None: always redacted.

    Example:
        >>> clips = RecordedClips(recordings, Redactor())  # doctest: +SKIP
        >>> build_export(repo, media, signer, request, policy, clips, clips.span)  # doctest: +SKIP
    """

    def __init__(
        self,
        recordings: Recordings,
        redactor: VideoRedactor | None,
        unmasked: Callable[[StoredEvent], bool] | None = None,
        camera_unmasked: Callable[[str], bool] | None = None,
    ) -> None:
        self.recordings = recordings
        self.redactor = redactor
        self.unmasked = unmasked
        self.camera_unmasked = camera_unmasked

    def __call__(self, event: StoredEvent) -> ExportClip | None:
        """The event's clip, or None when nothing was recorded in its span.

        Raises:
            VideoUnavailable: The clip must be redacted and cannot be.
        """
        span = self.recordings.span_of_event(event.camera_id, event.started_at, event.ended_at)
        masked = not (self.unmasked is not None and self.unmasked(event))
        made = self._video(span, masked)
        if made is None:
            return None
        data, details = made
        return ExportClip(f"clips/{event.id}.mp4", data, {"event_id": event.id, **details})

    def span(self, camera_id: str, start: datetime, end: datetime) -> ExportClip | None:
        """The recorded video of ``camera_id`` over ``start .. end`` (gaps cut out), or
        None when nothing was recorded in it.

        Raises:
            VideoUnavailable: The video must be redacted and cannot be.
        """
        masked = not (self.camera_unmasked is not None and self.camera_unmasked(camera_id))
        made = self._video(Span(camera_id, start, end), masked)
        if made is None:
            return None
        data, details = made
        name = f"clips/span-{camera_id}-{start:%Y%m%dT%H%M%SZ}.mp4"
        return ExportClip(name, data, details)

    def _video(self, span: Span, masked: bool) -> tuple[bytes, dict[str, Any]] | None:
        recs = self.recordings
        try:
            joined = recs.span_file(span.camera_id, span.start, span.end)
        except LookupError:
            return None
        original = joined.path.read_bytes()
        redactor = self.redactor if masked else None
        data = original if redactor is None else _redacted(recs, joined, redactor)
        return data, _details(recs, span, joined, (original, data), redactor is not None)


def _redacted(recs: Recordings, joined: SpanFile, redactor: VideoRedactor) -> bytes:
    try:
        return recs.redacted(joined, redactor).path.read_bytes()
    except (av.error.FFmpegError, OSError, ModelError) as error:
        raise VideoUnavailable(f"cannot redact the recorded video: {error}") from error


def _details(
    recs: Recordings, span: Span, joined: SpanFile, files: tuple[bytes, bytes], redacted: bool
) -> dict[str, Any]:
    """``clips.json`` entry: span, hashes, the segments as indexed, who recorded them."""
    original, data = files
    segments = recs.segments(span.camera_id, span.start, span.end)
    return {
        "camera_id": span.camera_id,
        "span": {"start": iso_utc(span.start), "end": iso_utc(span.end)},
        "file_start": iso_utc(joined.pieces[0].start),
        "pieces": [{"offset_s": round(p.offset_s, 3), "start": iso_utc(p.start),
                    "duration_s": round(p.duration_s, 3)} for p in joined.pieces],
        "sha256": _sha(data),
        "redacted": redacted,
        "original_sha256": _sha(original),
        "redacted_sha256": _sha(data) if redacted else None,
        "segments": [
            {"key": s.key, "sha256": s.sha256, "start": iso_utc(s.start),
             "end": iso_utc(s.end), "codec": s.codec, "transcoded": s.transcoded}
            for s in segments
        ],
        "recorded_by": {
            "camera_id": span.camera_id,
            "recorder": f"kuzet {__version__}",
            "host": socket.gethostname(),
            "platform": platform.platform(),
        },
    }
