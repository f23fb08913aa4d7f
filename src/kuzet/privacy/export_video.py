"""Recorded video in a signed evidence export: the events' clips and a span's video.

The video itself comes from a source in a higher layer (``kuzet.record.export_clips``)
that redacts it unless the exporter may unmask; this module only puts it into
the zip. Both fail closed: a source that cannot redact raises
:class:`VideoUnavailable`, and the video is then left out and listed, with the
reason, under ``omitted`` in ``clips.json`` and ``video_omitted`` in the signed
manifest and ``custody.json``. Every included file is listed in ``clips.json``
with its SHA-256 (checked by ``kuzet export verify``) besides the manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kuzet.privacy.audit import canonical_json, iso_utc
from kuzet.store.events import StoredEvent

CLIPS = "clips.json"
MAX_SPAN_VIDEO_S = 3600.0  # a span export carries video up to an hour long


@dataclass(frozen=True, slots=True)
class ExportClip:
    """A piece of recorded video for an export (made by ``kuzet.record``).

    Attributes:
        name: Path inside the zip (``clips/<event id>.mp4``, ``clips/span-...mp4``).
        data: The file as exported (redacted unless the exporter may unmask).
        details: Span, segments and hashes; ``sha256`` must be that of ``data``.
    """

    name: str
    data: bytes
    details: dict[str, Any]


class VideoUnavailable(RuntimeError):
    """Recorded video exists but cannot be exported as required (redaction failed)."""


# event -> its clip, or None when nothing was recorded for it.
ClipSource = Callable[[StoredEvent], "ExportClip | None"]
# (camera, start, end) -> the span's video, or None when nothing was recorded in it.
SpanSource = Callable[[str, datetime, datetime], "ExportClip | None"]


@dataclass
class VideoFiles:
    """The zip's video entries, their ``clips.json`` listing and what was left out."""

    entries: dict[str, bytes] = field(default_factory=dict)
    listed: list[dict[str, Any]] = field(default_factory=list)
    omitted: list[dict[str, Any]] = field(default_factory=list)

    def add(self, clip: ExportClip, kind: str) -> None:
        """Put ``clip`` in the zip and list it."""
        self.entries[clip.name] = clip.data
        self.listed.append({"file": clip.name, "kind": kind, **clip.details})

    def clips_json(self) -> bytes:
        """``clips.json``: every video file with its hashes, and what was left out."""
        return canonical_json({"clips": self.listed, "omitted": self.omitted})

    def custody(self) -> dict[str, Any]:
        """What ``custody.json`` says of the video."""
        return {
            "clips": sum(1 for c in self.listed if c["kind"] == "event"),
            "span_video": [c["file"] for c in self.listed if c["kind"] == "span"],
            "video_redacted": all(c.get("redacted", True) for c in self.listed),
            "video_omitted": self.omitted,
        }


def event_clips(events: list[StoredEvent], clips: ClipSource, files: VideoFiles) -> None:
    """Add each event's clip (a clip that cannot be redacted is listed as omitted)."""
    for event in events:
        try:
            clip = clips(event)
        except VideoUnavailable as error:
            files.omitted.append({"event_id": event.id, "camera_id": event.camera_id,
                                  "reason": str(error)})
            continue
        if clip is not None:
            files.add(clip, "event")


def span_video(
    camera_id: str, since: datetime, until: datetime | None, source: SpanSource,
    files: VideoFiles,
) -> None:
    """Add the recorded video of ``camera_id`` over ``since .. until`` (until: now).

    Spans longer than ``MAX_SPAN_VIDEO_S`` and video that cannot be redacted are
    listed as omitted, with the reason; a span with no recording adds nothing.
    """
    end = until or datetime.now(UTC)
    where = {"camera_id": camera_id, "span": {"start": iso_utc(since), "end": iso_utc(end)}}
    if (end - since).total_seconds() > MAX_SPAN_VIDEO_S:
        reason = f"span longer than {MAX_SPAN_VIDEO_S:g} s: narrow the range to export its video"
        files.omitted.append(where | {"reason": reason})
        return
    try:
        clip = source(camera_id, since, end)
    except VideoUnavailable as error:
        files.omitted.append(where | {"reason": str(error)})
        return
    if clip is not None:
        files.add(clip, "span")


def video_summary(clips_json: bytes | None) -> dict[str, int]:
    """Counts for the audit record and the API's answer: files by kind and left out."""
    if clips_json is None:
        return {"event": 0, "span": 0, "omitted": 0}
    body = json.loads(clips_json)
    listed = body.get("clips", [])
    return {
        "event": sum(1 for c in listed if c.get("kind", "event") == "event"),
        "span": sum(1 for c in listed if c.get("kind") == "span"),
        "omitted": len(body.get("omitted", [])),
    }


def clip_problems(entries: dict[str, bytes]) -> list[str]:
    """Each video file that differs from the ``sha256`` ``clips.json`` states for it."""
    if CLIPS not in entries:
        return []
    try:
        listed = json.loads(entries[CLIPS])["clips"]
        stated = {str(c["file"]): str(c["sha256"]) for c in listed}
    except (ValueError, KeyError, TypeError) as error:
        return [f"modified: {CLIPS} (unreadable: {error})"]
    problems = []
    for name, digest in sorted(stated.items()):
        if name not in entries:
            problems.append(f"missing: {name} (listed in {CLIPS})")
        elif hashlib.sha256(entries[name]).hexdigest() != digest:
            problems.append(f"modified: {name} (SHA-256 differs from {CLIPS})")
    return problems
