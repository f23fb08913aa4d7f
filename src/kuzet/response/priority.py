"""An alarm's priority: per rule, per severity, per event kind (``response`` config)."""

from __future__ import annotations

from kuzet.config.response import Priority, ResponseConfig
from kuzet.core.types import Event, EventKind, Severity

K = EventKind
P = Priority

DEFAULT_PRIORITY: dict[EventKind, Priority] = {
    K.FIGHT: P.HIGH, K.AGGRESSION: P.HIGH, K.FACE_MATCH: P.HIGH, K.PLATE_HIT: P.HIGH,
    K.ABANDONED_OBJECT: P.HIGH, K.CITIZEN_REPORT: P.HIGH,
    K.CROWD: P.MEDIUM, K.UNUSUAL_CROWD: P.MEDIUM, K.CAMERA_TAMPER: P.MEDIUM,
    K.ZONE_PRESENCE: P.MEDIUM, K.WRONG_WAY: P.MEDIUM, K.SPEEDING: P.MEDIUM,
    K.STOPPED_VEHICLE: P.MEDIUM,
    K.LINE_CROSSING: P.LOW, K.LOITERING: P.LOW, K.SMOKING: P.LOW,
}  # fmt: skip
"""Built-in priority of each event kind (``response.kinds`` overrides it)."""

ALARM_SEVERITIES = frozenset({Severity.ALERT, Severity.CRITICAL})


def needs_alarm(event: Event) -> bool:
    """True for events an operator must handle (severity ``alert`` or ``critical``)."""
    return event.severity in ALARM_SEVERITIES


def priority_for(event: Event, config: ResponseConfig) -> Priority:
    """The priority of the alarm ``event`` opens.

    Order: the first ``response.rules`` entry naming the event's rule (and camera,
    if it names one); ``critical`` for a critical event; ``response.kinds``; the
    built-in :data:`DEFAULT_PRIORITY`.

    Example:
        >>> priority_for(fight_event, ResponseConfig())  # doctest: +SKIP
        <Priority.HIGH: 'high'>
    """
    for rule in config.rules:
        if rule.rule == event.rule_id and rule.camera in (None, event.camera_id):
            return rule.priority
    if event.severity is Severity.CRITICAL:
        return Priority.CRITICAL
    kind = EventKind(event.kind)
    return config.kinds.get(kind, DEFAULT_PRIORITY.get(kind, Priority.MEDIUM))
