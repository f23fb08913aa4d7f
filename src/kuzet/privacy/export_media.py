"""Which snapshot goes into an evidence export: redacted unless the exporter may unmask.

The media of an export follow the same rule as the snapshot route: the
redacted copy (``privacy.snapshots.redacted_copy``: the camera worker's copy, or
one made now) unless the exporter holds an active unmask grant covering the
event. Redaction fails closed: a snapshot that cannot be redacted is left out
of the zip, with the reason, never exported in the original. Every snapshot is
listed in the signed manifest with the SHA-256 of the original and of the
redacted file and which of them the zip carries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kuzet.privacy.snapshots import RedactionUnavailable, redacted_copy
from kuzet.store.events import StoredEvent
from kuzet.store.media import Media

Redact = Callable[[bytes], bytes]
ORIGINAL, REDACTED, OMITTED = "original", "redacted", "omitted"


def _never(_event: StoredEvent) -> bool:
    return False


def _always(_event: StoredEvent) -> bool:
    return True


def _no_camera(_camera_id: str) -> bool:
    return False


def _any_camera(_camera_id: str) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class MediaPolicy:
    """How the snapshots of an export are chosen.

    Attributes:
        redact: JPEG -> redacted JPEG (faces and plates), used when no stored
            redacted copy exists; None: none can be made (such media are left out).
        unmasked: True for events whose original media the exporter may take
            (an active unmask grant; the CLI's ``--unredacted``). Default: none.
        camera_unmasked: True for cameras whose recorded video of a time span the
            exporter may take in the original (a grant covering the camera).

    Example:
        >>> MediaPolicy(redact=None).unmasked  # doctest: +ELLIPSIS
        <function _never at ...>
    """

    redact: Redact | None
    unmasked: Callable[[StoredEvent], bool] = _never
    camera_unmasked: Callable[[str], bool] = _no_camera

    @classmethod
    def originals(cls) -> MediaPolicy:
        """Every snapshot and video in the original (an explicit, audited unmask)."""
        return cls(None, _always, _any_camera)


@dataclass
class MediaFiles:
    """The zip's media entries and the manifest's account of every snapshot."""

    entries: dict[str, bytes] = field(default_factory=dict)
    listed: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def count(self, exported: str) -> int:
        """How many snapshots went in as ``exported`` (original/redacted/omitted)."""
        return sum(1 for item in self.listed if item["exported"] == exported)

    @property
    def all_redacted(self) -> bool:
        """True when no original image is in the zip."""
        return self.count(ORIGINAL) == 0


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _redacted(media: Media, key: str, redact: Redact | None) -> tuple[bytes | None, str]:
    """(redacted JPEG, "") or (None, why not)."""
    try:
        return redacted_copy(media, key, redact or _no_redactor), ""
    except RedactionUnavailable as error:
        return None, str(error)


def _no_redactor(_jpeg: bytes) -> bytes:
    raise RedactionUnavailable("no redactor available")


def media_files(events: list[StoredEvent], media: Media, policy: MediaPolicy) -> MediaFiles:
    """The snapshots of ``events`` as ``policy`` allows (see the module doc)."""
    files = MediaFiles()
    for event in events:
        key = event.snapshot_key
        if key is None:
            continue
        try:
            raw = media.get(key)
        except KeyError:
            files.missing.append(key)
            continue
        item: dict[str, Any] = {"event_id": event.id, "file": f"media/{key}"}
        item |= {"original_sha256": _sha(raw), "redacted_sha256": None}
        if policy.unmasked(event):
            files.entries[item["file"]] = raw
            files.listed.append(item | {"exported": ORIGINAL})
            continue
        redacted, why = _redacted(media, key, policy.redact)
        if redacted is None:
            files.listed.append(item | {"exported": OMITTED, "file": None, "reason": why})
            continue
        files.entries[item["file"]] = redacted
        files.listed.append(item | {"exported": REDACTED, "redacted_sha256": _sha(redacted)})
    return files
