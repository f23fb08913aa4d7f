"""Correlation rules: which incident a new alarm joins, or which alarms start one.

Pure decisions over rows already read (the desk does the reading and writing):
for the first rule that applies to the alarm's camera and kind,

1. join the newest *open* incident that holds an alarm of the rule's camera
   group (the same camera when the group is empty) opened within ``window``
   seconds before the new alarm;
2. otherwise start a new incident with the unresolved alarms of the group in
   that window that are in no incident yet;
3. otherwise (the first alarm of a possible incident) do nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from kuzet.config.response import CorrelationRule
from kuzet.response.models import AlarmRow
from kuzet.response.states import AlarmState


def applies(rule: CorrelationRule, camera_id: str, kind: str) -> bool:
    """True when ``rule`` covers alarms of this camera and kind."""
    camera_ok = not rule.cameras or camera_id in rule.cameras
    return camera_ok and (not rule.kinds or kind in rule.kinds)


def group_of(rule: CorrelationRule, camera_id: str) -> list[str]:
    """The cameras whose alarms correlate with one of ``camera_id`` under ``rule``."""
    return list(rule.cameras) or [camera_id]


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a new alarm.

    Attributes:
        rule: The rule that decided, or None (nothing to do).
        join: Id of the open incident to join, if any.
        start_with: Alarms that start a new incident together with the new one.
    """

    rule: CorrelationRule | None = None
    join: str | None = None
    start_with: tuple[AlarmRow, ...] = field(default_factory=tuple)


def decide(rule: CorrelationRule, alarm: AlarmRow, recent: Sequence[AlarmRow],
           open_incidents: Collection[str]) -> Decision:
    """The decision of one applicable rule.

    Args:
        rule: A rule that applies to ``alarm``.
        alarm: The new alarm.
        recent: Alarms of the rule's group (and kinds) in the window, newest first.
        open_incidents: Ids of the open incidents among ``recent``'s incidents.

    Returns:
        Join, start, or nothing (``rule`` None).
    """
    others = [a for a in recent if a.id != alarm.id and a.opened_at <= alarm.opened_at]
    for other in others:
        if other.incident_id is not None and other.incident_id in open_incidents:
            return Decision(rule, join=other.incident_id)
    loose = tuple(a for a in others
                  if a.incident_id is None and a.state != AlarmState.RESOLVED.value)
    return Decision(rule, start_with=loose) if loose else Decision()
