"""The field desk on a real SQLite file: duty, the unit's progress from the history,
each unit's last position, the position purger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from response_factories import ANA, REQUESTS, FakeClock, make_event, open_service

from kuzet.response.actor import Actor
from kuzet.response.errors import InvalidError
from kuzet.response.field import FieldDesk, FieldPositionPurger, check_unit
from kuzet.response.service import ResponseService
from kuzet.response.states import Action


@pytest.fixture
def pair(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[ResponseService, FieldDesk]]:
    """A response service and a field desk on one SQLite file, one clock."""
    store, service = open_service(tmp_path, clock=clock)
    yield service, FieldDesk(store.engine, clock)
    store.close()


PROGRESS = [
    ([], "dispatched"),
    ([Action.ACCEPT], "accept"),
    ([Action.ACCEPT, Action.EN_ROUTE], "en_route"),
    ([Action.EN_ROUTE], "en_route"),
]


@pytest.mark.parametrize(("moves", "progress"), PROGRESS)
def test_progress_follows_the_history(pair: tuple[ResponseService, FieldDesk],
                                      moves: list[Action], progress: str) -> None:
    service, desk = pair
    alarm = service.open_alarm(make_event("ev-f"))
    assert alarm is not None
    for action in (Action.ACKNOWLEDGE, Action.DISPATCH):
        service.act(alarm.id, REQUESTS[action], ANA)  # dispatched to patrol-7
    service.act(alarm.id, REQUESTS[Action.HOLD], ANA)
    service.act(alarm.id, REQUESTS[Action.DISPATCH], ANA)  # a second dispatch resets it
    for action in moves:
        service.act(alarm.id, REQUESTS[action], Actor("dan", "u-dan", units=("patrol-7",)))
    found = desk.assignments(["patrol-7"], None)
    assert [a.id for a in found.alarms] == ["ev-f"] and found.progress["ev-f"] == progress
    assert desk.assignments(["P-9"], None).alarms == []
    assert desk.assignments(["patrol-7"], ["hall"]).alarms == []  # camera scope


def test_duty_and_last_positions(pair: tuple[ResponseService, FieldDesk],
                                 clock: FakeClock) -> None:
    desk = pair[1]
    duty, ended = desk.start_duty("u-dan", "dan", " P-12 ")
    assert (duty.unit, ended) == ("P-12", None)
    moved, previous = desk.start_duty("u-dan", "dan", "P-14")
    current = desk.duty_of("u-dan")
    assert previous is not None and previous.id == duty.id and previous.ended_at == clock.now
    assert current is not None and current.id == moved.id
    desk.add_position(moved, 43.2, 76.9, 10.0)
    clock.advance(60)
    desk.add_position(moved, 43.3, 76.8, None)
    assert [(p.unit, p.lat) for p in desk.last_positions()] == [("P-14", 43.3)]
    with pytest.raises(InvalidError, match="outside"):
        desk.add_position(moved, 91.0, 0.0, None)
    purger = FieldPositionPurger(desk.engine)
    assert purger.purge(clock.now, dry_run=True) == 1  # the first, a minute old
    assert purger.purge(clock.now, dry_run=False) == 1
    assert [p.lat for p in desk.last_positions()] == [43.3]
    assert desk.end_duty("u-dan") is not None and desk.duty_of("u-dan") is None


@pytest.mark.parametrize(("unit", "ok"), [("P-12", True), ("7", True), ("Car 3.a_b", True),
                                          ("", False), ("-P", False), ("P/12", False),
                                          ("X" * 33, False)])
def test_call_signs(unit: str, ok: bool) -> None:
    if ok:
        assert check_unit(unit) == unit
    else:
        with pytest.raises(InvalidError, match="call sign"):
            check_unit(unit)
