"""Bus sinks that persist events, and the one JSON shape of an event.

``event_to_json`` is shared by the API, Server-Sent Events and MQTT so every
consumer sees the same field names.
"""

from __future__ import annotations

from typing import Any, Protocol

from kuzet.core.types import Event, EventPhase
from kuzet.store.codec import to_jsonable


class EventWriter(Protocol):
    """What :class:`StoreSink` needs from a repository (``EventRepo`` has it)."""

    def upsert(self, event: Event) -> None:
        """Insert or update the event by id."""


def event_to_json(event: Event) -> dict[str, Any]:
    """The JSON object of one event update.

    Args:
        event: An event in any phase.

    Returns:
        A JSON-safe dict: id, camera_id, kind, rule_id, severity, phase, status
        (``open``/``closed``), started_at/ended_at (ISO 8601 UTC), track_ids,
        labels, attrs, snapshot_key, snapshot_sha256, frame_ts.

    Example:
        >>> event_to_json(event)["status"]  # doctest: +SKIP
        'open'
    """
    return {
        "id": event.id,
        "camera_id": event.camera_id,
        "kind": str(event.kind),
        "rule_id": event.rule_id,
        "severity": str(event.severity),
        "phase": str(event.phase),
        "status": "closed" if event.phase is EventPhase.CLOSE else "open",
        "started_at": event.started_at.isoformat(),
        "ended_at": event.ended_at.isoformat() if event.ended_at else None,
        "track_ids": [int(t) for t in event.track_ids],
        "labels": [str(label) for label in event.labels],
        "attrs": to_jsonable(event.attrs),
        "snapshot_key": event.evidence.snapshot_key,
        "snapshot_sha256": event.evidence.snapshot_sha256,
        "frame_ts": float(event.frame_ts),
    }


class StoreSink:
    """Bus subscriber that upserts every event into the store.

    Example:
        >>> unsubscribe = bus.subscribe(StoreSink(store.events))  # doctest: +SKIP
    """

    def __init__(self, repo: EventWriter) -> None:
        self._repo = repo

    def __call__(self, event: Event) -> None:
        """Persist one event update."""
        self._repo.upsert(event)
