"""Event clips for signed evidence exports (a ``kuzet.privacy.export.ClipSource``).

An event's clip is its span (start - pre_s .. end + post_s) joined from the
recorded segments. Without the unmask privilege the exported file is the redacted
copy (faces blurred, re-encoded); ``clips.json`` always carries the hashes of both
the original joined file and the exported one, each segment's hash as indexed
when it was recorded, and who recorded it, so the chain of custody runs from the
recorder to the export.
"""

from __future__ import annotations

import hashlib
import platform
import socket
from collections.abc import Callable
from typing import Any

from kuzet import __version__
from kuzet.privacy.audit import iso_utc
from kuzet.privacy.export import ExportClip
from kuzet.record.playback import Recordings
from kuzet.record.redact import VideoRedactor
from kuzet.store.events import StoredEvent


class RecordedClips:
    """Makes each exported event's clip from the recordings.

    Args:
        recordings: The deployment's recordings.
        redactor: Blurs faces in the exported copy; None exports the original
            (the exporter may unmask). A failing redaction raises: an export is
            never silently unredacted.
        unmasked: True for events whose original the exporter may take (an
            unmask grant); None: every clip is redacted when ``redactor`` is set.

    Example:
        >>> clips = RecordedClips(recordings, Redactor())  # doctest: +SKIP
        >>> build_export(repo, media, signer, request, redact, clips)  # doctest: +SKIP
    """

    def __init__(
        self,
        recordings: Recordings,
        redactor: VideoRedactor | None,
        unmasked: Callable[[StoredEvent], bool] | None = None,
    ) -> None:
        self.recordings = recordings
        self.redactor = redactor
        self.unmasked = unmasked

    def __call__(self, event: StoredEvent) -> ExportClip | None:
        """The event's clip, or None when nothing was recorded in its span."""
        recs = self.recordings
        span = recs.span_of_event(event.camera_id, event.started_at, event.ended_at)
        try:
            joined = recs.span_file(span.camera_id, span.start, span.end)
        except LookupError:
            return None
        original = joined.path.read_bytes()
        data = original
        redactor = self.redactor
        if redactor is not None and self.unmasked is not None and self.unmasked(event):
            redactor = None
        if redactor is not None:
            data = recs.redacted(joined, redactor).path.read_bytes()
        segments = recs.segments(span.camera_id, span.start, span.end)
        details: dict[str, Any] = {
            "event_id": event.id,
            "camera_id": event.camera_id,
            "span": {"start": iso_utc(span.start), "end": iso_utc(span.end)},
            "file_start": iso_utc(joined.pieces[0].start),
            "sha256": hashlib.sha256(data).hexdigest(),
            "redacted": redactor is not None,
            "original_sha256": hashlib.sha256(original).hexdigest(),
            "redacted_sha256": (
                hashlib.sha256(data).hexdigest() if redactor is not None else None
            ),
            "segments": [
                {"key": s.key, "sha256": s.sha256, "start": iso_utc(s.start),
                 "end": iso_utc(s.end), "codec": s.codec, "transcoded": s.transcoded}
                for s in segments
            ],
            "recorded_by": {
                "camera_id": event.camera_id,
                "recorder": f"kuzet {__version__}",
                "host": socket.gethostname(),
                "platform": platform.platform(),
            },
        }
        return ExportClip(f"clips/{event.id}.mp4", data, details)
