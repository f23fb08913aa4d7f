"""Turning an operator's request into a checked :class:`~kuzet.response.alarms.Change`.

Checks, in order: the move is legal from the alarm's state (409 naming it),
the caller may take it (supervisor-only states, another operator's alarm: 403),
and the action's details are there (unit, verdict, reason ...: 422).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kuzet.config.response import Priority, ResponseConfig
from kuzet.response.actor import Actor
from kuzet.response.alarms import Change
from kuzet.response.errors import ConflictError, ForbiddenError, InvalidError
from kuzet.response.models import AlarmRow
from kuzet.response.states import MOVES, Action, AlarmState, Verdict, target_state


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """What an operator asks to do to an alarm.

    Attributes:
        action: The action.
        reason: Why, or the comment's text (required for ``hold`` and ``comment``).
        unit: Unit sent (required for ``dispatch``).
        verdict: Outcome (required for ``resolve``).
        owner: Username of the new owner (required for ``assign``).
        owner_id: User id of the new owner (``assign``).
        priority: New, higher priority (required for ``escalate``).
        version: The alarm version the caller saw; a different current version is
            a conflict (optional optimistic check).
    """

    action: Action
    reason: str | None = None
    unit: str | None = None
    verdict: Verdict | None = None
    owner: str | None = None
    owner_id: str | None = None
    priority: Priority | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What a detail function sees."""

    row: AlarmRow
    request: ActionRequest
    actor: Actor
    at: datetime
    config: ResponseConfig
    to_state: AlarmState


Details = tuple[dict[str, Any], dict[str, Any]]  # (column values, history/audit details)


def _needs(value: object, what: str, action: Action) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidError(f"{action.value} needs {what}")


def _acknowledge(c: Context) -> Details:
    values = {"owner": c.actor.username, "owner_id": c.actor.user_id, "acknowledged_at": c.at}
    return values, {"owner": c.actor.username}


def _dispatch(c: Context) -> Details:
    _needs(c.request.unit, "a unit", Action.DISPATCH)
    return {"unit": c.request.unit}, {"unit": c.request.unit}


def _unit(c: Context) -> Details:
    return {}, {"unit": c.row.unit}


def _hold(c: Context) -> Details:
    _needs(c.request.reason, "a reason", Action.HOLD)
    return {}, {}


def _comment(c: Context) -> Details:
    _needs(c.request.reason, "text", Action.COMMENT)
    return {}, {}


def _resolve(c: Context) -> Details:
    _needs(c.request.verdict, "a verdict (" + ", ".join(Verdict) + ")", Action.RESOLVE)
    verdict = Verdict(str(c.request.verdict)).value
    return {"verdict": verdict, "resolved_at": c.at}, {"verdict": verdict}


def _assign(c: Context) -> Details:
    _needs(c.request.owner, "the new owner's username", Action.ASSIGN)
    values: dict[str, Any] = {"owner": c.request.owner, "owner_id": c.request.owner_id}
    if c.row.acknowledged_at is None:
        values["acknowledged_at"] = c.at
    return values, {"owner": c.request.owner, "previous_owner": c.row.owner}


def _escalate(c: Context) -> Details:
    _needs(c.request.priority, "a priority", Action.ESCALATE)
    new = Priority(str(c.request.priority))
    old = Priority(c.row.priority)
    if new.rank >= old.rank:
        raise ConflictError(f"alarm {c.row.id} is already {old.value}; escalating needs a "
                            "higher priority")
    values: dict[str, Any] = {"priority": new.value, "priority_rank": new.rank}
    limit = c.config.acknowledge_within.for_priority(new)
    if c.row.state == AlarmState.NEW.value and limit is not None:
        values["ack_due_at"] = c.row.opened_at + timedelta(seconds=limit)
    return values, {"priority": new.value, "previous_priority": old.value}


def _nothing(_c: Context) -> Details:
    return {}, {}


DETAILS: dict[Action, Callable[[Context], Details]] = {
    Action.ACKNOWLEDGE: _acknowledge, Action.DISPATCH: _dispatch, Action.HOLD: _hold,
    Action.COMMENT: _comment, Action.RESOLVE: _resolve, Action.ASSIGN: _assign,
    Action.ESCALATE: _escalate, Action.ON_SCENE: _nothing, Action.RESUME: _nothing,
    Action.ACCEPT: _unit, Action.EN_ROUTE: _unit,
}  # fmt: skip


def _owner_note(row: AlarmRow) -> str:
    return f" (owner: {row.owner})" if row.owner else ""


def check_allowed(row: AlarmRow, action: Action, actor: Actor) -> AlarmState:
    """The state after ``action``, if legal and the actor may take it.

    Raises:
        ConflictError: Illegal from the current state (the message names it).
        ForbiddenError: Supervisor-only from this state, or another operator's alarm
            (not dispatched to a unit the actor is on duty in, where that suffices).
    """
    state = AlarmState(row.state)
    try:
        to_state = target_state(action, state, row.id)
    except ConflictError as error:
        raise ConflictError(f"{error}{_owner_note(row)}") from None
    move = MOVES[action]
    if state in move.supervisor_from and not actor.supervisor:
        raise ForbiddenError(f"only a supervisor can {action.value} alarm {row.id} "
                             f"while it is {state.value}")
    in_unit = move.unit_may and row.unit is not None and row.unit in actor.units
    if move.owner_only and not actor.supervisor and row.owner_id != actor.user_id and not in_unit:
        raise ForbiddenError(f"alarm {row.id} is {row.owner or 'nobody'}'s; only they or a "
                             f"supervisor can {action.value} it")
    return to_state


def plan(row: AlarmRow, request: ActionRequest, actor: Actor, at: datetime,
         config: ResponseConfig) -> Change:
    """The checked change ``request`` makes to ``row``.

    Raises:
        ConflictError, ForbiddenError, InvalidError: See the module docstring.
    """
    if request.action not in DETAILS:
        raise InvalidError(f"{request.action.value} is done by the server, not by operators")
    to_state = check_allowed(row, request.action, actor)
    context = Context(row, request, actor, at, config, to_state)
    values, details = DETAILS[request.action](context)
    return Change(request.action, to_state, values, request.reason, details)
