"""Time limits with a controllable clock: skip and re-queue, resolve breaches, escalation."""

from __future__ import annotations

import time

import pytest
from response_factories import ANA, BOB, REQUESTS, SUE, FakeClock, make_event

from kuzet.config.response import Priority
from kuzet.core.types import EventKind, Severity
from kuzet.response.errors import ForbiddenError
from kuzet.response.escalation import EscalationThread, escalate_due
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.states import Action, AlarmState

# Default acknowledge limits: critical 60 s, high 180, medium 600, low 1800.
LIMITS = [
    (EventKind.FIGHT, Severity.CRITICAL, 60),
    (EventKind.FIGHT, Severity.ALERT, 180),
    (EventKind.ZONE_PRESENCE, Severity.ALERT, 600),
    (EventKind.LOITERING, Severity.ALERT, 1800),
]


@pytest.mark.parametrize(("kind", "severity", "limit"), LIMITS)
def test_unacknowledged_alarm_is_skipped_at_its_limit(
    service: ResponseService, clock: FakeClock, kind: EventKind, severity: Severity, limit: int
) -> None:
    alarm = service.open_alarm(make_event(kind=kind, severity=severity))
    assert alarm is not None
    assert escalate_due(service, clock.advance(limit - 1)).skipped == []
    assert service.alarms.get(alarm.id).state == AlarmState.NEW
    assert escalate_due(service, clock.advance(1)).skipped == [alarm.id]
    row = service.alarms.get(alarm.id)
    assert (row.state, row.queue, row.ack_breached_at) == ("skipped", "supervisors", clock.now)
    last = service.alarms.history([alarm.id])[-1]
    assert (last.action, last.actor, last.from_state) == ("skip", None, "new")
    assert escalate_due(service, clock.advance(60)).skipped == []  # once only


def test_acknowledged_alarm_is_not_skipped(service: ResponseService, clock: FakeClock) -> None:
    alarm = service.open_alarm(make_event())
    assert alarm is not None
    service.act(alarm.id, REQUESTS[Action.ACKNOWLEDGE], ANA)
    assert escalate_due(service, clock.advance(10_000)).skipped == []
    assert service.alarms.get(alarm.id).state == AlarmState.ACKNOWLEDGED


def test_skipped_alarm_goes_to_the_supervisor(service: ResponseService,
                                              clock: FakeClock) -> None:
    alarm = service.open_alarm(make_event())
    assert alarm is not None
    escalate_due(service, clock.advance(600))
    with pytest.raises(ForbiddenError, match="only a supervisor"):
        service.act(alarm.id, REQUESTS[Action.ACKNOWLEDGE], BOB)
    assigned = service.act(alarm.id, REQUESTS[Action.ASSIGN], SUE)
    assert (assigned.state, assigned.owner) == (AlarmState.ACKNOWLEDGED, "bob")
    assert service.act(alarm.id, REQUESTS[Action.DISPATCH], BOB).state == AlarmState.DISPATCHED


def test_resolve_limit_marks_breach_once(service: ResponseService, clock: FakeClock) -> None:
    alarm = service.open_alarm(make_event())  # medium: 14,400 s to resolve
    assert alarm is not None
    service.act(alarm.id, REQUESTS[Action.ACKNOWLEDGE], ANA)
    assert escalate_due(service, clock.advance(14_399)).late == []
    assert escalate_due(service, clock.advance(1)).late == [alarm.id]
    row = service.alarms.get(alarm.id)
    assert (row.state, row.resolve_breached_at) == (AlarmState.ACKNOWLEDGED, clock.now)
    assert escalate_due(service, clock.advance(100)).late == []
    assert service.alarms.history([alarm.id])[-1].action == "breach"


def test_skip_and_breach_in_one_run(service: ResponseService, clock: FakeClock) -> None:
    alarm = service.open_alarm(make_event())
    assert alarm is not None
    result = escalate_due(service, clock.advance(20_000))
    assert (result.skipped, result.late) == ([alarm.id], [alarm.id])
    assert [h.action for h in service.alarms.history([alarm.id])] == ["open", "skip", "breach"]


def test_escalation_tightens_the_limit(service: ResponseService, clock: FakeClock) -> None:
    alarm = service.open_alarm(make_event())  # medium: 600 s
    assert alarm is not None
    clock.advance(30)
    raised = service.act(alarm.id, ActionRequest(Action.ESCALATE, priority=Priority.CRITICAL),
                         SUE)
    assert raised.priority == "critical" and raised.state == AlarmState.NEW
    assert escalate_due(service, clock.advance(30)).skipped == [alarm.id]  # 60 s from opening


def test_thread_runs_on_the_service_clock(service: ResponseService, clock: FakeClock) -> None:
    alarm = service.open_alarm(make_event())
    assert alarm is not None
    clock.advance(601)
    thread = EscalationThread(service, 0.05)
    thread.start()
    try:
        for _ in range(200):
            if service.alarms.get(alarm.id).state == AlarmState.SKIPPED:
                break
            time.sleep(0.02)
    finally:
        thread.stop()
    assert service.alarms.get(alarm.id).state == AlarmState.SKIPPED
