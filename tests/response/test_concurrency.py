"""Two operators take the same alarm at once: one wins, the other gets a clear conflict.

Each operator has their own engine (as two API workers would) on one SQLite file;
a barrier releases both acknowledgements together, many times over.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from response_factories import ANA, BOB, REQUESTS, FakeClock, make_event, open_service

from kuzet.response.actor import Actor
from kuzet.response.alarms import Change, StaleError
from kuzet.response.errors import ConflictError
from kuzet.response.service import ResponseService
from kuzet.response.states import Action, AlarmState

ROUNDS = 15


def _race(services: list[ResponseService], actors: list[Actor], alarm_id: str) -> list[object]:
    barrier = threading.Barrier(len(services))
    results: list[object] = [None] * len(services)

    def take(i: int) -> None:
        barrier.wait()
        try:
            results[i] = services[i].act(alarm_id, REQUESTS[Action.ACKNOWLEDGE], actors[i])
        except ConflictError as error:
            results[i] = error

    threads = [threading.Thread(target=take, args=(i,)) for i in range(len(services))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_second_taker_gets_conflict(tmp_path: Path, db_url: str | None) -> None:
    clock = FakeClock()
    store_a, first = open_service(tmp_path, clock=clock, url=db_url)
    store_b, second = open_service(tmp_path, clock=clock, url=db_url)
    try:
        for n in range(ROUNDS):
            alarm = first.open_alarm(make_event(f"ev-{n}"))
            assert alarm is not None
            results = _race([first, second], [ANA, BOB], alarm.id)
            wins = [r for r in results if not isinstance(r, ConflictError)]
            losses = [r for r in results if isinstance(r, ConflictError)]
            assert len(wins) == 1 and len(losses) == 1, results
            owner = first.alarms.get(alarm.id).owner
            assert owner in ("ana", "bob")
            message = str(losses[0])
            assert "it is acknowledged" in message and f"owner: {owner}" in message
            history = second.alarms.history([alarm.id])
            assert [h.action for h in history] == ["open", "acknowledge"]
            assert history[-1].actor == owner
    finally:
        store_a.close()
        store_b.close()


def test_stale_write_changes_nothing(service: ResponseService) -> None:
    alarm = service.open_alarm(make_event())
    assert alarm is not None
    service.act(alarm.id, REQUESTS[Action.ACKNOWLEDGE], ANA)
    stale = Change(Action.ACKNOWLEDGE, AlarmState.ACKNOWLEDGED, {"owner": "bob"})
    with pytest.raises(StaleError):
        service.alarms.apply(alarm, stale, BOB, service.clock())  # read at version 1
    row = service.alarms.get(alarm.id)
    assert (row.owner, row.version) == ("ana", 2)
    assert len(service.alarms.history([alarm.id])) == 2


def test_comment_racing_a_transition_is_kept(tmp_path: Path, db_url: str | None) -> None:
    store_a, first = open_service(tmp_path, url=db_url)
    store_b, second = open_service(tmp_path, url=db_url)
    try:
        alarm = first.open_alarm(make_event())
        assert alarm is not None
        barrier = threading.Barrier(2)

        def comment() -> None:
            barrier.wait()
            second.act(alarm.id, REQUESTS[Action.COMMENT], BOB)

        thread = threading.Thread(target=comment)
        thread.start()
        barrier.wait()
        first.act(alarm.id, REQUESTS[Action.ACKNOWLEDGE], ANA)
        thread.join(timeout=30)
        actions = sorted(h.action for h in first.alarms.history([alarm.id]))
        assert actions == ["acknowledge", "comment", "open"]
        assert first.alarms.get(alarm.id).version == 3
    finally:
        store_a.close()
        store_b.close()
