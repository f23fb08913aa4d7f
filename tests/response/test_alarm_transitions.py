"""Every legal and illegal alarm transition on a real SQLite file, with history and audit."""

from __future__ import annotations

from dataclasses import replace

import pytest
from response_factories import ANA, BOB, REQUESTS, SUE, FakeClock, make_event

from kuzet.config.response import Priority
from kuzet.privacy.audit import AuditQuery
from kuzet.response.actor import Actor
from kuzet.response.errors import ConflictError, ForbiddenError, InvalidError
from kuzet.response.escalation import escalate_due
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.states import API_ACTIONS, Action, AlarmState, Verdict

S = AlarmState
PATHS: dict[AlarmState, list[Action]] = {
    S.NEW: [],
    S.ACKNOWLEDGED: [Action.ACKNOWLEDGE],
    S.DISPATCHED: [Action.ACKNOWLEDGE, Action.DISPATCH],
    S.ON_SCENE: [Action.ACKNOWLEDGE, Action.DISPATCH, Action.ON_SCENE],
    S.ON_HOLD: [Action.ACKNOWLEDGE, Action.HOLD],
    S.RESOLVED: [Action.ACKNOWLEDGE, Action.RESOLVE],
    S.SKIPPED: [],
}
LEGAL = {
    (Action.ACKNOWLEDGE, S.NEW), (Action.ACKNOWLEDGE, S.SKIPPED),
    (Action.DISPATCH, S.ACKNOWLEDGED), (Action.DISPATCH, S.ON_HOLD),
    (Action.ON_SCENE, S.DISPATCHED), (Action.ACCEPT, S.DISPATCHED), (Action.EN_ROUTE, S.DISPATCHED),
    *((Action.HOLD, s) for s in (S.ACKNOWLEDGED, S.DISPATCHED, S.ON_SCENE)),
    (Action.RESUME, S.ON_HOLD),
    *((Action.RESOLVE, s) for s in (S.ACKNOWLEDGED, S.DISPATCHED, S.ON_SCENE, S.ON_HOLD)),
    *((Action.COMMENT, s) for s in S),
    *((Action.ASSIGN, s) for s in S if s is not S.RESOLVED),
    *((Action.ESCALATE, s) for s in S if s is not S.RESOLVED),
}  # fmt: skip
CASES = [(a, s) for a in API_ACTIONS for s in S]


def _reach(service: ResponseService, clock: FakeClock, state: AlarmState) -> str:
    event = make_event(f"ev-{state.value}")
    alarm = service.open_alarm(event)
    assert alarm is not None and alarm.state == S.NEW
    for action in PATHS[state]:
        service.act(alarm.id, REQUESTS[action], ANA)
    if state is S.SKIPPED:
        escalate_due(service, clock.advance(601))  # medium: 600 s to acknowledge
    assert service.alarms.get(alarm.id).state == state.value
    return alarm.id


def _request(action: Action) -> ActionRequest:
    if action is Action.ESCALATE:
        return replace(REQUESTS[action], priority=Priority.CRITICAL)
    return REQUESTS[action]


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-{s}" for a, s in CASES])
def test_transition(service: ResponseService, clock: FakeClock, action: Action,
                    state: AlarmState) -> None:
    alarm_id = _reach(service, clock, state)
    before = service.alarms.get(alarm_id)
    history_before = service.alarms.history([alarm_id])
    actor = SUE if action in (Action.ASSIGN, Action.ESCALATE) or state is S.SKIPPED else ANA
    clock.advance(5)
    if (action, state) not in LEGAL:
        with pytest.raises(ConflictError, match=f"it is {state.value}"):
            service.act(alarm_id, _request(action), actor)
        assert service.alarms.get(alarm_id).version == before.version
        assert len(service.alarms.history([alarm_id])) == len(history_before)
        return
    after = service.act(alarm_id, _request(action), actor)
    assert after.version == before.version + 1
    last = service.alarms.history([alarm_id])[-1]
    assert (last.action, last.from_state, last.to_state) == (action.value, state.value, after.state)
    assert (last.actor, last.at) == (actor.username, clock.now)
    audits = service.audit.list(AuditQuery(action=f"alarm.{action.value}")).items
    assert audits[0].target == alarm_id and audits[0].actor == actor.username
    assert audits[0].details["from"] == state.value and audits[0].details["to"] == after.state


def test_details_are_kept(service: ResponseService, clock: FakeClock) -> None:
    alarm_id = _reach(service, clock, S.NEW)
    service.act(alarm_id, REQUESTS[Action.ACKNOWLEDGE], ANA)
    service.act(alarm_id, REQUESTS[Action.DISPATCH], ANA)
    done = service.act(alarm_id, ActionRequest(Action.RESOLVE, reason="fight broken up",
                                               verdict=Verdict.FALSE_ALARM), ANA)
    assert (done.owner, done.unit, done.verdict) == ("ana", "patrol-7", "false_alarm")
    assert done.acknowledged_at == done.resolved_at == clock.now
    history = service.alarms.history([alarm_id])
    assert [h.action for h in history] == ["open", "acknowledge", "dispatch", "resolve"]
    assert history[0].actor is None and history[-1].reason == "fight broken up"


REFUSALS = [
    # (state, request, actor, error, words in the message)
    (S.ACKNOWLEDGED, REQUESTS[Action.DISPATCH], BOB, ForbiddenError, "ana's"),
    (S.ACKNOWLEDGED, REQUESTS[Action.RESOLVE], BOB, ForbiddenError, "ana's"),
    (S.SKIPPED, REQUESTS[Action.ACKNOWLEDGE], BOB, ForbiddenError, "only a supervisor"),
    (S.NEW, REQUESTS[Action.ASSIGN], ANA, ForbiddenError, "only a supervisor"),
    (S.NEW, replace(REQUESTS[Action.ESCALATE], priority=Priority.HIGH), ANA, ForbiddenError,
     "only a supervisor"),
    (S.NEW, replace(REQUESTS[Action.ESCALATE], priority=Priority.LOW), SUE, ConflictError,
     "already medium"),
    (S.ACKNOWLEDGED, ActionRequest(Action.DISPATCH), ANA, InvalidError, "unit"),
    (S.ACKNOWLEDGED, ActionRequest(Action.RESOLVE), ANA, InvalidError, "verdict"),
    (S.ACKNOWLEDGED, ActionRequest(Action.HOLD, reason=" "), ANA, InvalidError, "reason"),
    (S.NEW, ActionRequest(Action.COMMENT), ANA, InvalidError, "text"),
    (S.NEW, ActionRequest(Action.SKIP), SUE, InvalidError, "server"),
    (S.NEW, ActionRequest(Action.ACKNOWLEDGE, version=7), ANA, ConflictError, "version 7"),
    (S.ACKNOWLEDGED, REQUESTS[Action.ACKNOWLEDGE], BOB, ConflictError, "owner: ana"),
]  # fmt: skip


@pytest.mark.parametrize("case", REFUSALS)
def test_refusals(service: ResponseService, clock: FakeClock,
                  case: tuple[AlarmState, ActionRequest, Actor, type[Exception], str]) -> None:
    state, request_, actor, error, words = case
    alarm_id = _reach(service, clock, state)
    version = service.alarms.get(alarm_id).version
    with pytest.raises(error, match=words):
        service.act(alarm_id, request_, actor)
    assert service.alarms.get(alarm_id).version == version


def test_supervisor_acts_on_anyones_alarm(service: ResponseService, clock: FakeClock) -> None:
    alarm_id = _reach(service, clock, S.ACKNOWLEDGED)
    assert service.act(alarm_id, REQUESTS[Action.DISPATCH], SUE).state == S.DISPATCHED
    moved = service.act(alarm_id, REQUESTS[Action.ASSIGN], SUE)
    assert (moved.owner, moved.state) == ("bob", S.DISPATCHED)
    assert service.act(alarm_id, REQUESTS[Action.ON_SCENE], BOB).state == S.ON_SCENE
    with pytest.raises(ForbiddenError):
        service.act(alarm_id, REQUESTS[Action.RESOLVE], ANA)


UNIT = [
    # (actor, action, allowed): the alarm is ana's, dispatched to patrol-7
    (Actor("dan", "u-dan", units=("patrol-7",)), Action.ACCEPT, True),
    (Actor("dan", "u-dan", units=("patrol-7",)), Action.EN_ROUTE, True),
    (Actor("dan", "u-dan", units=("patrol-7",)), Action.ON_SCENE, True),
    (Actor("dan", "u-dan", units=("patrol-7",)), Action.RESOLVE, True),
    (Actor("dan", "u-dan", units=("patrol-7",)), Action.HOLD, False),  # not a unit move
    (Actor("dan", "u-dan", units=("patrol-7",)), Action.DISPATCH, False),
    (Actor("eve", "u-eve", units=("patrol-9",)), Action.ACCEPT, False),  # another unit
    (Actor("eve", "u-eve"), Action.ON_SCENE, False),
    (ANA, Action.ACCEPT, True),  # the owner may record the unit's progress
]  # fmt: skip


@pytest.mark.parametrize("case", UNIT, ids=[f"{a.name}-{act}" for a, act, _ in UNIT])
def test_dispatched_unit_moves(service: ResponseService, clock: FakeClock,
                               case: tuple[Actor, Action, bool]) -> None:
    actor, action, allowed = case
    alarm_id = _reach(service, clock, S.DISPATCHED)
    request_ = REQUESTS[action]
    if action is Action.DISPATCH:
        alarm_id = service.act(alarm_id, REQUESTS[Action.HOLD], ANA).id
    if not allowed:
        with pytest.raises(ForbiddenError, match="ana's"):
            service.act(alarm_id, request_, actor)
        return
    after = service.act(alarm_id, request_, actor)
    last = service.alarms.history([alarm_id])[-1]
    assert (last.action, last.actor) == (action.value, actor.username)
    assert after.owner == "ana"  # the unit works the alarm; the operator still owns it
    if action in (Action.ACCEPT, Action.EN_ROUTE):
        assert after.state == S.DISPATCHED and last.details == {"unit": "patrol-7"}
