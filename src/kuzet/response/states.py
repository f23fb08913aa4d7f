"""The alarm state machine: states, actions, verdicts and the one table of legal moves.

::

    new --acknowledge--> acknowledged --dispatch--> dispatched --on_scene--> on_scene
     |                     |    ^                      |                       |
     | skip (time limit)   |    +------ resume ------ on_hold <-- hold --------+
     v                     +-------------------------------------------------> resolved
    skipped --acknowledge (supervisor)--> acknowledged          (resolve + verdict)

``comment`` is legal in every state and ``breach`` / ``escalate`` / ``reroute``
in every open one; ``accept`` and ``en_route`` (the dispatched unit's progress,
from the field app) only while ``dispatched``. They leave the state as it is but
are history rows like any move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from kuzet.response.errors import ConflictError


class AlarmState(StrEnum):
    """Where an alarm is in its handling."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    SKIPPED = "skipped"


class Verdict(StrEnum):
    """What an alarm turned out to be (given on resolve)."""

    CONFIRMED = "confirmed"
    FALSE_ALARM = "false_alarm"
    DUPLICATE = "duplicate"
    NO_ACTION = "no_action"
    REFERRED = "referred"


class Action(StrEnum):
    """Everything that can happen to an alarm; each one is a history row."""

    OPEN = "open"
    ACKNOWLEDGE = "acknowledge"
    DISPATCH = "dispatch"
    ACCEPT = "accept"  # the dispatched unit takes the job (field app); state stays dispatched
    EN_ROUTE = "en_route"  # the dispatched unit is on its way; state stays dispatched
    ON_SCENE = "on_scene"
    HOLD = "hold"
    RESUME = "resume"
    RESOLVE = "resolve"
    COMMENT = "comment"
    ASSIGN = "assign"
    ESCALATE = "escalate"
    SKIP = "skip"
    BREACH = "breach"
    REROUTE = "reroute"  # a shift ended: to the next shift's operators or the supervisors
    LINK = "link"
    UNLINK = "unlink"
    VERIFY_REFERRAL = "verify_referral"  # a second person's check of a `referred` verdict
    REJECT_REFERRAL = "reject_referral"


S = AlarmState
OPEN_STATES = frozenset(s for s in AlarmState if s is not S.RESOLVED)
WORKING = frozenset({S.ACKNOWLEDGED, S.DISPATCHED, S.ON_SCENE, S.ON_HOLD})
# Queue order: unhandled first (new, skipped), then in progress, then resolved.
QUEUE_RANK = {S.NEW: 0, S.SKIPPED: 0, S.RESOLVED: 2} | {s: 1 for s in WORKING}


def _same(states: frozenset[AlarmState]) -> dict[AlarmState, AlarmState]:
    return {s: s for s in states}


@dataclass(frozen=True, slots=True)
class Move:
    """The legal uses of one action.

    Attributes:
        targets: State after the action, per state it may be taken from.
        owner_only: Only the alarm's owner (or a supervisor) may take it.
        unit_may: With ``owner_only``, a member of the unit the alarm is dispatched
            to (a field officer on duty in it) may take it too.
        supervisor_from: States from which only a supervisor may take it.
        system: Taken by the server itself (time limits), never through the API.
    """

    targets: Mapping[AlarmState, AlarmState]
    owner_only: bool = False
    unit_may: bool = False
    supervisor_from: frozenset[AlarmState] = frozenset()
    system: bool = False


MOVES: dict[Action, Move] = {
    Action.ACKNOWLEDGE: Move({S.NEW: S.ACKNOWLEDGED, S.SKIPPED: S.ACKNOWLEDGED},
                             supervisor_from=frozenset({S.SKIPPED})),
    Action.DISPATCH: Move({S.ACKNOWLEDGED: S.DISPATCHED, S.ON_HOLD: S.DISPATCHED},
                          owner_only=True),
    Action.ACCEPT: Move(_same(frozenset({S.DISPATCHED})), owner_only=True, unit_may=True),
    Action.EN_ROUTE: Move(_same(frozenset({S.DISPATCHED})), owner_only=True, unit_may=True),
    Action.ON_SCENE: Move({S.DISPATCHED: S.ON_SCENE}, owner_only=True, unit_may=True),
    Action.HOLD: Move({s: S.ON_HOLD for s in (S.ACKNOWLEDGED, S.DISPATCHED, S.ON_SCENE)},
                      owner_only=True),
    Action.RESUME: Move({S.ON_HOLD: S.ACKNOWLEDGED}, owner_only=True),
    Action.RESOLVE: Move({s: S.RESOLVED for s in WORKING}, owner_only=True, unit_may=True),
    Action.COMMENT: Move(_same(frozenset(AlarmState))),
    Action.ASSIGN: Move({S.NEW: S.ACKNOWLEDGED, S.SKIPPED: S.ACKNOWLEDGED} | _same(WORKING),
                        supervisor_from=OPEN_STATES),
    Action.ESCALATE: Move(_same(OPEN_STATES), supervisor_from=OPEN_STATES),
    Action.SKIP: Move({S.NEW: S.SKIPPED}, system=True),
    Action.BREACH: Move(_same(OPEN_STATES), system=True),
    Action.REROUTE: Move(_same(OPEN_STATES), system=True),
}
"""Every legal move; anything not here is a 409 naming the current state."""

API_ACTIONS = tuple(a for a, m in MOVES.items() if not m.system)


def target_state(action: Action, state: AlarmState, alarm_id: str = "") -> AlarmState:
    """The state after ``action`` on an alarm in ``state``.

    Raises:
        ConflictError: The move is not in :data:`MOVES`; the message names the
            current state and the states the action is allowed from.

    Example:
        >>> target_state(Action.ACKNOWLEDGE, AlarmState.NEW)
        <AlarmState.ACKNOWLEDGED: 'acknowledged'>
    """
    move = MOVES.get(action)
    if move is None or state not in move.targets:
        allowed = ", ".join(sorted(move.targets)) if move else "nowhere (not an alarm action)"
        what = f"alarm {alarm_id}" if alarm_id else "the alarm"
        raise ConflictError(
            f"cannot {action.value} {what}: it is {state.value}; {action.value} is allowed "
            f"from {allowed}"
        )
    return move.targets[state]
