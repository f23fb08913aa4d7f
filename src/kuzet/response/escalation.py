"""Time limits: :func:`escalate_due` and the thread that runs it in ``kuzet serve``.

A ``new`` alarm still unacknowledged at its ``ack_due_at`` is marked breached,
turns ``skipped`` and moves to the supervisors' queue (only a supervisor may
take it, or assign it to an operator). An alarm still open at its
``resolve_due_at`` is marked breached (its state stays).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from kuzet.response.alarms import Change
from kuzet.response.models import AlarmRow
from kuzet.response.service import SUPERVISORS, ResponseService
from kuzet.response.shift_end import reroute_ended_shifts
from kuzet.response.states import Action, AlarmState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Escalation:
    """What one run did: ids of the alarms skipped and of those marked late."""

    skipped: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)


def _skip(row: AlarmRow, now: datetime) -> Change:
    due = row.ack_due_at.isoformat() if row.ack_due_at else None
    return Change(Action.SKIP, AlarmState.SKIPPED,
                  {"queue": SUPERVISORS, "ack_breached_at": now},
                  "not acknowledged in time; re-queued to the supervisors",
                  {"limit": "acknowledge", "due_at": due, "queue": SUPERVISORS})


def _late(row: AlarmRow, now: datetime) -> Change:
    due = row.resolve_due_at.isoformat() if row.resolve_due_at else None
    return Change(Action.BREACH, AlarmState(row.state), {"resolve_breached_at": now},
                  "not resolved in time", {"limit": "resolve", "due_at": due})


def escalate_due(service: ResponseService, now: datetime | None = None) -> Escalation:
    """Apply every time limit that has passed at ``now`` (default: the service's clock).

    An alarm acknowledged at the same moment wins: the skip is a compare-and-set
    and is dropped when the alarm changed since it was read.

    Example:
        >>> escalate_due(service, datetime(2026, 1, 1, tzinfo=UTC)).skipped  # doctest: +SKIP
        ['ev-1']
    """
    now = now or service.clock()
    to_skip, late = service.alarms.due(now)
    result = Escalation()
    for row in to_skip:
        if service.write(row, _skip(row, now)) is not None:
            result.skipped.append(row.id)
    for row in late:
        fresh = service.alarms.get(row.id)  # a skip above bumped its version
        if fresh.state != AlarmState.RESOLVED.value and fresh.resolve_breached_at is None:
            if service.write(fresh, _late(fresh, now)) is not None:
                result.late.append(row.id)
    if result.skipped or result.late:
        log.info("time limits: %d alarms skipped, %d late", len(result.skipped), len(result.late))
    return result


class EscalationThread:
    """Runs :func:`escalate_due` and the shift-end re-routing
    (:func:`~kuzet.response.shift_end.reroute_ended_shifts`) every ``every_s`` seconds."""

    def __init__(self, service: ResponseService, every_s: float) -> None:
        self.service = service
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread."""
        self._thread = threading.Thread(target=self._loop, name="escalation", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                escalate_due(self.service)
                reroute_ended_shifts(self.service)
            except Exception:  # a failed run is logged and retried next period
                log.exception("escalation run failed")

    def stop(self) -> None:
        """Stop and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
