"""The one message shape of alarm, incident and escalation changes (SSE, MQTT, webhooks).

::

    {"type": "alarm", "action": "acknowledge", "id": "ev-1", "at": "2026-12-03T10:00:00+00:00",
     "cameras": ["gate_1"], "sector": "north", "data": {...the alarm as GET /api/alarms/ev-1...}}

``type`` is ``alarm``, ``incident`` or ``escalation``. A time limit breached
(``skip``: not acknowledged in time; ``breach``: not resolved in time) or a
procedure step skipped (incident ``step_skip``) gives the change's message and
an ``escalation`` message for the supervisors, which adds ``cause``
(``acknowledge_limit`` | ``resolve_limit`` | ``step_skipped``), ``limit``
(``acknowledge`` | ``resolve`` | null) and ``audience: "supervisors"``.

A rule flagged under its precision floor, or cleared (a ``rule`` change,
action ``precision_low`` / ``precision_ok``), is one ``escalation`` message for
the administrators: ``cause: "precision_floor"``, ``limit: null``,
``audience: "admins"``, ``id`` the rule's id, ``data`` its figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

ESCALATIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("alarm", "skip"): ("acknowledge_limit", "acknowledge"),
    ("alarm", "breach"): ("resolve_limit", "resolve"),
    ("incident", "step_skip"): ("step_skipped", None),
}  # (type, action) -> (cause, limit)
RULE_FLAG = ("precision_floor", None)  # (cause, limit) of a rule flag change
TYPES = ("alarm", "incident", "escalation")


class Change(Protocol):
    """One alarm or incident change (``kuzet.response.views.ResponseUpdate`` is one).

    Integrations sit beside ``response`` in the layer order, so they take its
    updates by shape rather than by import.
    """

    @property
    def topic(self) -> str:
        """``alarm``, ``incident`` or ``rule``."""

    @property
    def id(self) -> str:
        """The object's id."""

    @property
    def action(self) -> str:
        """What happened."""

    @property
    def cameras(self) -> Sequence[str]:
        """Cameras concerned."""

    @property
    def data(self) -> Mapping[str, Any]:
        """The object's JSON after the change."""


def message(update: Change) -> dict[str, Any]:
    """The message of one change."""
    return {
        "type": update.topic, "action": update.action, "id": update.id,
        "at": update.data.get("updated_at"), "cameras": list(update.cameras),
        "sector": update.data.get("sector"), "data": dict(update.data),
    }  # fmt: skip


def messages(update: Change) -> list[dict[str, Any]]:
    """The change's message, plus an ``escalation`` message for the supervisors when due.

    Example:
        >>> from types import SimpleNamespace
        >>> update = SimpleNamespace(topic="alarm", id="ev-1", action="skip", cameras=("gate",),
        ...                          data={"state": "skipped"})
        >>> [m["type"] for m in messages(update)]
        ['alarm', 'escalation']
    """
    first = message(update)
    if update.topic == "rule":  # a precision flag: only the administrators' escalation
        cause, limit = RULE_FLAG
        return [first | {"type": "escalation", "cause": cause, "limit": limit,
                         "audience": "admins"}]
    escalates = ESCALATIONS.get((update.topic, update.action))
    if escalates is None:
        return [first]
    cause, limit = escalates
    escalation = first | {"type": "escalation", "cause": cause, "limit": limit,
                          "audience": "supervisors"}
    return [first, escalation]
