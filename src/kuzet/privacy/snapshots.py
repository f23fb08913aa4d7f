"""Redacted event snapshots: the copy every viewer without an unmask grant gets.

The camera worker stores ``redacted/<snapshot key>`` next to each snapshot,
blurred with the frame's tracked person and vehicle boxes
(:func:`redacted_snapshot`). Older snapshots have no such copy: the API makes
one on first request with ``Redactor.redact_jpeg`` (whole-image face
search) and caches it (:func:`redacted_copy`). Redaction fails closed: when it
cannot be done, callers get an exception, never the raw image.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kuzet.store.media import Media

REDACTED_PREFIX = "redacted/"

_lock = threading.Lock()  # one on-the-fly redaction at a time (model load, CPU)


def redacted_key(snapshot_key: str) -> str:
    """Media key of the redacted copy of ``snapshot_key``.

    Example:
        >>> redacted_key("snapshots/gate/2026/11/21/ab12.jpg")
        'redacted/snapshots/gate/2026/11/21/ab12.jpg'
    """
    return REDACTED_PREFIX + snapshot_key


class RedactionUnavailable(RuntimeError):
    """A snapshot could not be redacted; the raw image must not be served instead."""


def redacted_copy(
    media: Media, snapshot_key: str, redact: Callable[[bytes], bytes]
) -> bytes:
    """The stored redacted copy of a snapshot, made and cached when missing.

    Args:
        media: The media store holding the snapshot.
        snapshot_key: Key of the raw snapshot.
        redact: JPEG -> redacted JPEG (e.g. ``Redactor().redact_jpeg``).

    Returns:
        Redacted JPEG bytes.

    Raises:
        KeyError: Neither the copy nor the raw snapshot is stored.
        RedactionUnavailable: The snapshot exists but redaction failed.
    """
    key = redacted_key(snapshot_key)
    try:
        return media.get(key)
    except KeyError:
        pass
    raw = media.get(snapshot_key)
    with _lock:
        if media.exists(key):  # another request made it meanwhile
            return media.get(key)
        try:
            data = redact(raw)
        except Exception as error:  # any failure (model missing, bad JPEG) fails closed
            raise RedactionUnavailable(
                f"cannot redact snapshot {snapshot_key!r}: {error}"
            ) from error
        media.put(key, data)
    return data

