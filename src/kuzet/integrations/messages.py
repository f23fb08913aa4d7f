"""The one message shape of alarm, incident and escalation changes (SSE, MQTT, webhooks).

::

    {"type": "alarm", "action": "acknowledge", "id": "ev-1", "at": "2026-12-03T10:00:00+00:00",
     "cameras": ["gate_1"], "sector": "north", "data": {...the alarm as GET /api/alarms/ev-1...}}

``type`` is ``alarm``, ``incident`` or ``escalation``. A time limit breached
(``skip``: not acknowledged in time; ``breach``: not resolved in time) gives the
alarm message and an ``escalation`` message for the supervisors, which adds
``limit`` (``acknowledge`` | ``resolve``) and ``audience: "supervisors"``.
"""

from __future__ import annotations

from typing import Any

from kuzet.response.views import ResponseUpdate

LIMIT_OF_ACTION = {"skip": "acknowledge", "breach": "resolve"}
TYPES = ("alarm", "incident", "escalation")


def message(update: ResponseUpdate) -> dict[str, Any]:
    """The message of one change."""
    return {
        "type": update.topic, "action": update.action, "id": update.id,
        "at": update.data.get("updated_at"), "cameras": list(update.cameras),
        "sector": update.data.get("sector"), "data": update.data,
    }  # fmt: skip


def messages(update: ResponseUpdate) -> list[dict[str, Any]]:
    """The change's message, plus an ``escalation`` message for a breached time limit.

    Example:
        >>> update = ResponseUpdate("alarm", "ev-1", "skip", ("gate",), {"state": "skipped"})
        >>> [m["type"] for m in messages(update)]
        ['alarm', 'escalation']
    """
    first = message(update)
    if update.topic != "alarm" or update.action not in LIMIT_OF_ACTION:
        return [first]
    escalation = first | {"type": "escalation", "limit": LIMIT_OF_ACTION[update.action],
                          "audience": "supervisors"}
    return [first, escalation]
