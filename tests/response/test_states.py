"""The state machine table, written out by hand and compared move by move."""

from __future__ import annotations

import pytest

from kuzet.response.errors import ConflictError
from kuzet.response.states import Action, AlarmState, target_state

S = AlarmState
ALL = tuple(AlarmState)
OPEN = tuple(s for s in ALL if s is not S.RESOLVED)
# (action, from) -> to; every pair not listed must be refused.
LEGAL: dict[tuple[Action, AlarmState], AlarmState] = {
    (Action.ACKNOWLEDGE, S.NEW): S.ACKNOWLEDGED,
    (Action.ACKNOWLEDGE, S.SKIPPED): S.ACKNOWLEDGED,
    (Action.DISPATCH, S.ACKNOWLEDGED): S.DISPATCHED,
    (Action.DISPATCH, S.ON_HOLD): S.DISPATCHED,
    (Action.ACCEPT, S.DISPATCHED): S.DISPATCHED,
    (Action.EN_ROUTE, S.DISPATCHED): S.DISPATCHED,
    (Action.ON_SCENE, S.DISPATCHED): S.ON_SCENE,
    (Action.HOLD, S.ACKNOWLEDGED): S.ON_HOLD,
    (Action.HOLD, S.DISPATCHED): S.ON_HOLD,
    (Action.HOLD, S.ON_SCENE): S.ON_HOLD,
    (Action.RESUME, S.ON_HOLD): S.ACKNOWLEDGED,
    (Action.RESOLVE, S.ACKNOWLEDGED): S.RESOLVED,
    (Action.RESOLVE, S.DISPATCHED): S.RESOLVED,
    (Action.RESOLVE, S.ON_SCENE): S.RESOLVED,
    (Action.RESOLVE, S.ON_HOLD): S.RESOLVED,
    (Action.ASSIGN, S.NEW): S.ACKNOWLEDGED,
    (Action.ASSIGN, S.SKIPPED): S.ACKNOWLEDGED,
    (Action.SKIP, S.NEW): S.SKIPPED,
    **{(Action.COMMENT, s): s for s in ALL},
    **{(Action.ESCALATE, s): s for s in OPEN},
    **{(Action.BREACH, s): s for s in OPEN},
    **{(Action.REROUTE, s): s for s in OPEN},
    **{(Action.ASSIGN, s): s for s in (S.ACKNOWLEDGED, S.DISPATCHED, S.ON_SCENE, S.ON_HOLD)},
}
MOVES = [(a, s) for a in Action if a not in (Action.OPEN, Action.LINK, Action.UNLINK)
         for s in ALL]


@pytest.mark.parametrize(("action", "state"), MOVES, ids=[f"{a}-{s}" for a, s in MOVES])
def test_every_move(action: Action, state: AlarmState) -> None:
    expected = LEGAL.get((action, state))
    if expected is not None:
        assert target_state(action, state) is expected
        return
    with pytest.raises(ConflictError) as caught:
        target_state(action, state, "ev-9")
    message = str(caught.value)
    assert f"it is {state.value}" in message and "ev-9" in message
