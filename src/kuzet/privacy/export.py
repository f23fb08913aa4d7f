"""Signed evidence exports: a zip anyone can check with the system's public key.

Contents:

- ``media/<key>``: the events' snapshots, redacted unless the exporter holds an
  unmask grant for the event (:mod:`kuzet.privacy.export_media`; a snapshot that
  cannot be redacted is left out, with the reason);
- ``clips/<event id>.mp4``: each event's recorded clip when a clip source is given
  (redacted and re-encoded unless the exporter may unmask), and ``clips.json``: per
  clip its span, the recorded segments with their hashes, the SHA-256 of the
  original and of the exported (redacted) file, and who recorded it;
- ``clips/span-<camera>-<start>.mp4``: for a time-range export, the recorded video
  of the span (segments joined; redacted unless the exporter may unmask), listed
  in ``clips.json`` like a clip. Video that cannot be redacted is left out and
  named with the reason (:mod:`kuzet.privacy.export_video`);
- ``metadata.json``: the events as JSON;
- ``custody.json``: chain of custody: who exported, when, why, from which host and
  software version, what was selected, whether media are redacted;
- ``public_key.pem``: the signing key's public half;
- ``manifest.json``: SHA-256 of every file above, and for each snapshot the
  SHA-256 of the original and of the redacted image and which one the zip holds;
- ``signature.ed25519``: Ed25519 signature of the exact bytes of ``manifest.json``.

:func:`verify_export` checks the signature and every hash and names each file
that is modified, missing or extra.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import io
import json
import platform
import socket
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from kuzet import __version__
from kuzet.privacy.audit import canonical_json, iso_utc
from kuzet.privacy.export_media import (
    OMITTED,
    ORIGINAL,
    REDACTED,
    MediaFiles,
    MediaPolicy,
    Redact,
    media_files,
)
from kuzet.privacy.export_video import (
    CLIPS,
    ClipSource,
    ExportClip,
    SpanSource,
    VideoFiles,
    VideoUnavailable,
    clip_problems,
    event_clips,
    span_video,
    video_summary,
)
from kuzet.privacy.keys import Signer, verify_signature
from kuzet.store.codec import to_jsonable
from kuzet.store.events import EventQuery, EventRepo, StoredEvent
from kuzet.store.media import Media

__all__ = [
    "CLIPS", "ClipSource", "ExportClip", "ExportError", "ExportRequest", "SpanSource",
    "VideoUnavailable", "build_export", "select_events", "verify_export",
]

MANIFEST = "manifest.json"
SIGNATURE = "signature.ed25519"
PUBLIC_KEY = "public_key.pem"
MAX_EVENTS = 5000


def default_redactor() -> Redact:
    """``Redactor().redact_jpeg`` from :mod:`kuzet.privacy.redaction` (faces and plates).

    Loaded by name so exports work while redaction is optional; a snapshot that
    fails to redact is left out of the export (never exported unredacted).
    """
    module = importlib.import_module("kuzet.privacy.redaction")
    return cast(Redact, module.Redactor().redact_jpeg)


class ExportError(ValueError):
    """The export request cannot be served (no such event, nothing selected ...)."""


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export and why.

    Attributes:
        reason: Why (required; goes into ``custody.json``).
        user: Who exports.
        event_id: One event; or else ``camera_id`` with ``since``/``until``.
        camera_id: Camera of a time-range export.
        since: Start of the range (events started at or after).
        until: End of the range (events started before).
        referrals: The events' alarms referred to an external body, with who
            referred and who verified them (``kuzet.response`` fills it in);
            signed in the manifest and listed in ``custody.json``.
    """

    reason: str
    user: str
    event_id: str | None = None
    camera_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    referrals: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ExportError("a reason is required")
        if self.event_id is None and (self.camera_id is None or self.since is None):
            raise ExportError("give an event id, or a camera with --since (and --until)")


def select_events(
    repo: EventRepo, request: ExportRequest, allow_empty: bool = False
) -> list[StoredEvent]:
    """The events an export request names (oldest first).

    Args:
        repo: Events.
        request: The selection.
        allow_empty: A time range without events is no error (its video is exported).

    Raises:
        ExportError: No such event, none in the range (unless ``allow_empty``), or
            more than ``MAX_EVENTS``.
    """
    if request.event_id is not None:
        event = repo.get(request.event_id)
        if event is None:
            raise ExportError(f"no event {request.event_id!r}")
        return [event]
    assert request.camera_id is not None  # checked by ExportRequest
    events: list[StoredEvent] = []
    cursor: str | None = None
    while True:
        query = EventQuery(
            cameras=[request.camera_id],
            since=request.since,
            until=request.until,
            limit=500,
            before_cursor=cursor,
        )
        page = repo.list(query)
        events.extend(page.items)
        if len(events) > MAX_EVENTS:
            raise ExportError(f"more than {MAX_EVENTS} events; narrow the time range")
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    if not events and not allow_empty:
        raise ExportError(f"no events on camera {request.camera_id!r} in that time range")
    return events[::-1]


def _custody(request: ExportRequest, events: list[StoredEvent], extra: dict[str, Any]) -> bytes:
    custody = {
        "exported_by": request.user,
        "exported_at": iso_utc(datetime.now(UTC)),
        "reason": request.reason.strip(),
        "system": {
            "host": socket.gethostname(),
            "platform": platform.platform(),
            "software": f"kuzet {__version__}",
        },
        "selection": {
            "event_id": request.event_id,
            "camera_id": request.camera_id,
            "since": None if request.since is None else iso_utc(request.since),
            "until": None if request.until is None else iso_utc(request.until),
        },
        "event_ids": [e.id for e in events],
        **extra,
    }
    return canonical_json(custody)


def _video_files(
    events: list[StoredEvent], request: ExportRequest, sources: tuple[ClipSource | None,
                                                                      SpanSource | None],
) -> VideoFiles | None:
    """The events' clips and, for a time-range export, the span's video (None: no source)."""
    clips, span = sources
    if clips is None and span is None:
        return None
    files = VideoFiles()
    if span is not None and request.camera_id is not None and request.since is not None:
        span_video(request.camera_id, request.since, request.until, span, files)
    if clips is not None:
        event_clips(events, clips, files)
    return files


def build_export(  # noqa: PLR0913 - each collaborator is one plain argument
    repo: EventRepo,
    media: Media,
    signer: Signer,
    request: ExportRequest,
    policy: MediaPolicy,
    clips: ClipSource | None = None,
    span: SpanSource | None = None,
) -> tuple[bytes, list[StoredEvent]]:
    """Build the signed zip.

    Args:
        repo: Events.
        media: Snapshot files.
        signer: The system's signing key.
        request: Selection, user and reason.
        policy: Redaction of the media (redacted unless ``policy.unmasked``).
        clips: The events' recorded clips (None: snapshots only); it redacts them
            by itself, consistently with ``policy``.
        span: The recorded video of a time-range export's span (None: none); it
            redacts by itself too. Video that cannot be redacted is left out and
            listed with the reason (``video_omitted``), never exported raw.

    Returns:
        (zip bytes, the exported events).
        ``custody.json`` says whether every image is redacted (``media_redacted``)
        and lists the snapshots left out (``media_omitted``, with reasons).

    Raises:
        ExportError: If the request selects nothing (no event, and no video of the span).
    """
    events = select_events(repo, request, allow_empty=span is not None)
    files = media_files(events, media, policy)
    video = _video_files(events, request, (clips, span))
    if not events and (video is None or not (video.listed or video.omitted)):
        raise ExportError(
            f"no events and no recording on camera {request.camera_id!r} in that time range"
        )
    if video is not None:
        files.entries.update(video.entries)
        files.entries[CLIPS] = video.clips_json()
    metadata = {"events": [to_jsonable(dataclasses.asdict(e)) for e in events]}
    files.entries["metadata.json"] = canonical_json(metadata)
    public_pem = signer.public_pem()
    files.entries["custody.json"] = _custody(
        request,
        events,
        {
            "media_redacted": files.all_redacted,
            "media_missing": files.missing,
            "media_omitted": [m for m in files.listed if m["exported"] == "omitted"],
            **(video.custody() if video is not None else {"clips": 0}),
            "public_key_sha256": hashlib.sha256(public_pem).hexdigest(),
            **_referrals(request),
        },
    )
    files.entries[PUBLIC_KEY] = public_pem
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.entries.items()}
    manifest = _manifest(digests, files, request, video)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.entries.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest)
        archive.writestr(SIGNATURE, signer.sign(manifest))
    return buffer.getvalue(), events


def _manifest(
    digests: dict[str, str], files: MediaFiles, request: ExportRequest, video: VideoFiles | None
) -> bytes:
    omitted = {"video_omitted": video.omitted} if video is not None and video.omitted else {}
    return canonical_json(
        {
            "algorithm": "sha256",
            "files": dict(sorted(digests.items())),
            "media": files.listed,
            **omitted,
            **_referrals(request),
        }
    )


def _referrals(request: ExportRequest) -> dict[str, Any]:
    """``{"referrals": [...]}`` when the export holds referred events, else nothing."""
    return {"referrals": [dict(r) for r in request.referrals]} if request.referrals else {}


def media_summary(data: bytes) -> dict[str, Any]:
    """For the audit record: ``redacted`` (no original image in the zip), the
    number of images exported original, redacted and left out, and the video
    files by kind (event clips, span video) and left out.

    Example:
        >>> media_summary(zip_bytes)  # doctest: +SKIP
        {'redacted': True, 'media': {'original': 0, 'redacted': 1, 'omitted': 0},
         'video': {'event': 1, 'span': 0, 'omitted': 0}}
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        listed = json.loads(archive.read(MANIFEST)).get("media", [])
        clips = archive.read(CLIPS) if CLIPS in archive.namelist() else None
    counts = {
        kind: sum(m["exported"] == kind for m in listed) for kind in (ORIGINAL, REDACTED, OMITTED)
    }
    return {"redacted": counts[ORIGINAL] == 0, "media": counts, "video": video_summary(clips)}


@dataclass
class ExportCheck:
    """Result of :func:`verify_export`; ``problems`` names each bad file."""

    files: int = 0
    signature_ok: bool = False
    key_source: str = "embedded"
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the signature and every hash check out."""
        return self.signature_ok and not self.problems


def _read_zip(data: bytes, check: ExportCheck) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if len(names) != len(set(names)):
                check.problems.append("duplicate entries in the zip")
            return {name: archive.read(name) for name in names}
    except (zipfile.BadZipFile, OSError) as error:
        check.problems.append(f"not a readable zip: {error}")
        return None


def _check_hashes(entries: dict[str, bytes], listed: dict[str, str], check: ExportCheck) -> None:
    for name, digest in sorted(listed.items()):
        if name not in entries:
            check.problems.append(f"missing: {name}")
        elif hashlib.sha256(entries[name]).hexdigest() != digest:
            check.problems.append(f"modified: {name} (SHA-256 differs from the manifest)")
    for name in sorted(set(entries) - set(listed) - {MANIFEST, SIGNATURE}):
        check.problems.append(f"extra: {name} (not in the manifest)")


def verify_export(data: bytes, public_pem: bytes | None = None) -> ExportCheck:
    """Check an export's signature and every file's hash.

    Args:
        data: The zip.
        public_pem: The system's public key; None trusts ``public_key.pem`` in the
            zip (integrity only: anyone can sign with their own key).

    Returns:
        The check; ``problems`` names every modified, missing or extra file.
    """
    check = ExportCheck(key_source="embedded" if public_pem is None else "given")
    entries = _read_zip(data, check)
    if entries is None:
        return check
    check.files = len(entries)
    manifest, signature = entries.get(MANIFEST), entries.get(SIGNATURE)
    if manifest is None or signature is None:
        check.problems.extend(f"missing: {n}" for n in (MANIFEST, SIGNATURE) if n not in entries)
        return check
    key = public_pem if public_pem is not None else entries.get(PUBLIC_KEY)
    check.signature_ok = key is not None and verify_signature(key, manifest, signature)
    if not check.signature_ok:
        check.problems.append(
            f"modified: {MANIFEST} or {SIGNATURE} (the signature does not verify)"
        )
    try:
        listed = json.loads(manifest)["files"]
        if not isinstance(listed, dict):
            raise TypeError("files is not an object")
    except (ValueError, KeyError, TypeError) as error:
        check.problems.append(f"modified: {MANIFEST} (unreadable: {error})")
        return check
    _check_hashes(entries, {str(k): str(v) for k, v in listed.items()}, check)
    check.problems.extend(clip_problems(entries))
    return check
