"""Signed evidence exports: a zip anyone can check with the system's public key.

Contents:

- ``media/<key>``: the events' snapshots, redacted unless the exporter holds an
  unmask grant for the event (:mod:`kuzet.privacy.export_media`; a snapshot that
  cannot be redacted is left out, with the reason);
- ``clips/<event id>.mp4``: each event's recorded clip when a clip source is given
  (redacted and re-encoded unless the exporter may unmask), and ``clips.json``: per
  clip its span, the recorded segments with their hashes, the SHA-256 of the
  original and of the exported (redacted) file, and who recorded it;
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
from collections.abc import Callable, Mapping
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
from kuzet.privacy.keys import Signer, verify_signature
from kuzet.store.codec import to_jsonable
from kuzet.store.events import EventQuery, EventRepo, StoredEvent
from kuzet.store.media import MediaStore

MANIFEST = "manifest.json"
SIGNATURE = "signature.ed25519"
PUBLIC_KEY = "public_key.pem"
MAX_EVENTS = 5000
CLIPS = "clips.json"


@dataclass(frozen=True, slots=True)
class ExportClip:
    """An event's video for an export (made by a clip source, e.g. ``kuzet.record``).

    Attributes:
        name: Path inside the zip (``clips/<event id>.mp4``).
        data: The file as exported (redacted unless the exporter may unmask).
        details: Span, segments and hashes; ``sha256`` must be that of ``data``.
    """

    name: str
    data: bytes
    details: dict[str, Any]


# event -> its clip, or None when nothing was recorded for it.
ClipSource = Callable[[StoredEvent], "ExportClip | None"]


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


def select_events(repo: EventRepo, request: ExportRequest) -> list[StoredEvent]:
    """The events an export request names (oldest first).

    Raises:
        ExportError: No such event, none in the range, or more than ``MAX_EVENTS``.
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
    if not events:
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


def _clip_files(
    events: list[StoredEvent], clips: ClipSource | None, files: MediaFiles
) -> int:
    """Add each event's clip and ``clips.json``; the number of clips."""
    if clips is None:
        return 0
    listed = []
    for event in events:
        clip = clips(event)
        if clip is None:
            continue
        files.entries[clip.name] = clip.data
        listed.append({"file": clip.name, **clip.details})
    files.entries[CLIPS] = canonical_json({"clips": listed})
    return len(listed)


def build_export(  # noqa: PLR0913 - each collaborator is one plain argument
    repo: EventRepo,
    media: MediaStore,
    signer: Signer,
    request: ExportRequest,
    policy: MediaPolicy,
    clips: ClipSource | None = None,
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

    Returns:
        (zip bytes, the exported events).
        ``custody.json`` says whether every image is redacted (``media_redacted``)
        and lists the snapshots left out (``media_omitted``, with reasons).

    Raises:
        ExportError: If the request selects nothing.
    """
    events = select_events(repo, request)
    files = media_files(events, media, policy)
    clip_count = _clip_files(events, clips, files)
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
            "clips": clip_count,
            "public_key_sha256": hashlib.sha256(public_pem).hexdigest(),
            **_referrals(request),
        },
    )
    files.entries[PUBLIC_KEY] = public_pem
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.entries.items()}
    manifest = _manifest(digests, files, request)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.entries.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest)
        archive.writestr(SIGNATURE, signer.sign(manifest))
    return buffer.getvalue(), events


def _manifest(digests: dict[str, str], files: MediaFiles, request: ExportRequest) -> bytes:
    return canonical_json(
        {
            "algorithm": "sha256",
            "files": dict(sorted(digests.items())),
            "media": files.listed,
            **_referrals(request),
        }
    )


def _referrals(request: ExportRequest) -> dict[str, Any]:
    """``{"referrals": [...]}`` when the export holds referred events, else nothing."""
    return {"referrals": [dict(r) for r in request.referrals]} if request.referrals else {}


def media_summary(data: bytes) -> dict[str, Any]:
    """For the audit record: ``redacted`` (no original image in the zip) and the
    number of images exported original, redacted and left out.

    Example:
        >>> media_summary(zip_bytes)  # doctest: +SKIP
        {'redacted': True, 'media': {'original': 0, 'redacted': 1, 'omitted': 0}}
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        listed = json.loads(archive.read(MANIFEST)).get("media", [])
    counts = {
        kind: sum(m["exported"] == kind for m in listed) for kind in (ORIGINAL, REDACTED, OMITTED)
    }
    return {"redacted": counts[ORIGINAL] == 0, "media": counts}


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
    _check_clips(entries, check)
    return check


def _check_clips(entries: dict[str, bytes], check: ExportCheck) -> None:
    """Each clip file matches the ``sha256`` that ``clips.json`` states for it."""
    if CLIPS not in entries:
        return
    try:
        listed = json.loads(entries[CLIPS])["clips"]
        stated = {str(c["file"]): str(c["sha256"]) for c in listed}
    except (ValueError, KeyError, TypeError) as error:
        check.problems.append(f"modified: {CLIPS} (unreadable: {error})")
        return
    for name, digest in sorted(stated.items()):
        if name not in entries:
            check.problems.append(f"missing: {name} (listed in {CLIPS})")
        elif hashlib.sha256(entries[name]).hexdigest() != digest:
            check.problems.append(f"modified: {name} (SHA-256 differs from {CLIPS})")
