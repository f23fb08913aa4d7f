"""Factories for API tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def make_event(**overrides: Any) -> Event:
    """An event with defaults; ``minutes`` shifts ``started_at`` from T0."""
    minutes = overrides.pop("minutes", 0)
    values: dict[str, Any] = {
        "id": "ev-1",
        "camera_id": "gate",
        "kind": EventKind.ZONE_PRESENCE,
        "rule_id": "gate-zone",
        "phase": EventPhase.OPEN,
        "started_at": T0 + timedelta(minutes=minutes),
        "severity": Severity.ALERT,
        "track_ids": (7,),
        "labels": ("person",),
        "attrs": {"zone": "entrance"},
        "evidence": Evidence(),
    }
    values.update(overrides)
    return Event(**values)
