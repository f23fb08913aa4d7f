"""The one JSON shape of alarms, incidents and their history (API, live push, MQTT later)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from kuzet.response.models import AlarmHistoryRow, AlarmRow, IncidentHistoryRow, IncidentRow


def iso(when: datetime | None) -> str | None:
    """ISO 8601 UTC text, or None."""
    return when.isoformat() if when is not None else None


def alarm_json(row: AlarmRow) -> dict[str, Any]:
    """An alarm as JSON: state, priority, owner, unit, verdict, times (UTC), limits."""
    return {
        "id": row.id, "event_id": row.id, "camera_id": row.camera_id, "kind": row.kind,
        "rule_id": row.rule_id, "severity": row.severity, "priority": row.priority,
        "state": row.state, "queue": row.queue, "owner": row.owner, "unit": row.unit,
        "sector": row.sector, "verdict": row.verdict, "incident_id": row.incident_id,
        "event_at": iso(row.event_at), "opened_at": iso(row.opened_at),
        "updated_at": iso(row.updated_at), "acknowledged_at": iso(row.acknowledged_at),
        "resolved_at": iso(row.resolved_at), "ack_due_at": iso(row.ack_due_at),
        "resolve_due_at": iso(row.resolve_due_at),
        "ack_breached_at": iso(row.ack_breached_at),
        "resolve_breached_at": iso(row.resolve_breached_at),
        "attrs": row.attrs, "version": row.version,
    }  # fmt: skip


def alarm_history_json(row: AlarmHistoryRow) -> dict[str, Any]:
    """One history row: action, from, to, who (None = the server), when, why, details."""
    return {
        "alarm_id": row.alarm_id, "action": row.action, "from_state": row.from_state,
        "to_state": row.to_state, "actor": row.actor, "at": iso(row.at), "reason": row.reason,
        "details": row.details,
    }  # fmt: skip


def incident_json(row: IncidentRow) -> dict[str, Any]:
    """An incident as JSON."""
    return {
        "id": row.id, "type": row.type, "priority": row.priority, "state": row.state,
        "owner": row.owner, "description": row.description, "location": row.location,
        "lat": row.lat, "lon": row.lon, "cameras": row.cameras, "sector": row.sector,
        "source": row.source,
        "rule": row.rule, "merged_into": row.merged_into, "created_by": row.created_by,
        "opened_at": iso(row.opened_at), "updated_at": iso(row.updated_at),
        "closed_at": iso(row.closed_at), "last_alarm_at": iso(row.last_alarm_at),
        "version": row.version,
    }  # fmt: skip


def timeline_json(
    incident: list[IncidentHistoryRow], alarms: list[AlarmHistoryRow]
) -> list[dict[str, Any]]:
    """Everything that happened to an incident and its alarms, oldest first."""
    entries = [
        {"at": iso(r.at), "source": "incident", "action": r.action, "actor": r.actor,
         "text": r.text, "alarm_id": r.alarm_id, "camera_id": r.camera_id,
         "details": r.details}
        for r in incident
    ] + [
        {"at": iso(r.at), "source": "alarm", "action": r.action, "actor": r.actor,
         "text": r.reason, "alarm_id": r.alarm_id, "from_state": r.from_state,
         "to_state": r.to_state, "details": r.details}
        for r in alarms
    ]  # fmt: skip
    # At equal times the alarm's row was written first (links, then the incident's note).
    return sorted(entries, key=lambda e: (str(e["at"]), e["source"] == "incident"))


@dataclass(frozen=True, slots=True)
class ResponseUpdate:
    """A change published on :attr:`ResponseService.updates` (for live push).

    Attributes:
        topic: ``alarm``, ``incident``, or ``rule`` (a rule flagged under its
            precision floor or cleared: see :mod:`kuzet.response.flags`).
        id: The alarm's or incident's id (the rule's id for ``rule``).
        action: What happened (``acknowledge``, ``link`` ...).
        cameras: Cameras concerned (live push filters by the viewer's scope).
        data: The object's JSON after the change.
    """

    topic: Literal["alarm", "incident", "rule"]
    id: str
    action: str
    cameras: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)
