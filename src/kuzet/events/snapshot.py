"""Evidence snapshots: the media-store key of an event's snapshot.

The picture itself is drawn by :func:`kuzet.render.snapshot.render_snapshot`.
"""

from __future__ import annotations

from datetime import UTC, datetime

_BAD_SEGMENT = ("", ".", "..")


def snapshot_key(camera_id: str, event_id: str, when: datetime) -> str:
    """Object-store key of an event snapshot: ``snapshots/<camera>/<YYYY>/<MM>/<DD>/<id>.jpg``.

    The date is ``when`` in UTC, so keys do not depend on the server's zone.

    Args:
        camera_id: Camera id (one key segment).
        event_id: Event id (one key segment).
        when: Time-zone-aware time of the event.

    Returns:
        The key.

    Raises:
        ValueError: ``when`` is naive, or an id is empty or not a single safe segment.

    Example:
        >>> snapshot_key("gate", "ab12", datetime(2024, 3, 9, 23, 30, tzinfo=UTC))
        'snapshots/gate/2024/03/09/ab12.jpg'
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"snapshot time must be time-zone aware, got naive {when.isoformat()}")
    for name, value in (("camera_id", camera_id), ("event_id", event_id)):
        if value in _BAD_SEGMENT or any(c in value for c in "/\\\x00"):
            raise ValueError(f"{name} must be one non-empty key segment, got {value!r}")
    day = when.astimezone(UTC)
    return f"snapshots/{camera_id}/{day:%Y}/{day:%m}/{day:%d}/{event_id}.jpg"
