"""Closing an incident while a procedure step is being marked (issue 15 gap 6).

"All required steps done" and the close are one compare-and-set on the incident's
version read before the check, so a step answered between the check and the write
makes the close check again. Two threads, each with its own engine (as two API
workers would), on one SQLite file.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from response_factories import ANA, BOB, FakeClock, open_service
from test_procedures import DONE, NO, PATROL, YES, response_config

from kuzet.config.response import Priority
from kuzet.response.errors import ConflictError
from kuzet.response.incidents import NewIncident
from kuzet.response.service import ResponseService
from kuzet.response.sop import StepRequest

ROUNDS = 10


class GateClock(FakeClock):
    """A fake clock that, on the closing thread's ``gate_at``-th call, lets the other
    thread run to its end before answering (a deterministic interleaving)."""

    def __init__(self, gate_at: int) -> None:
        super().__init__()
        self.gate_at = gate_at
        self.closer: threading.Thread | None = None
        self.calls = 0
        self.go = threading.Event()
        self.other_done = threading.Event()

    def __call__(self) -> datetime:
        if threading.current_thread() is self.closer:
            self.calls += 1
            if self.calls == self.gate_at:
                self.go.set()
                self.other_done.wait(30)
        return self.now


def _ready_to_close(service: ResponseService) -> str:
    """A fight incident whose checklist is complete (nobody hurt, patrol sent)."""
    incident = service.desk.create(NewIncident("fight", Priority.HIGH), ANA).id
    for step, request in [("confirm", YES), ("send_patrol", PATROL), ("injured", NO),
                          ("keep_watch", DONE)]:
        service.sop.act(incident, step, request, ANA)
    return incident


def _consistent(service: ResponseService, incident: str) -> tuple[str, list[str]]:
    """(state, open required steps); a closed incident must have none open."""
    checklist = service.sop.checklist(incident)
    assert checklist is not None
    state = service.incidents.get(incident).state
    assert state == "open" or checklist["open_required"] == [], (state, checklist)
    return state, checklist["open_required"]


def _run(closing: ResponseService, marking: ResponseService, incident: str,
         request: StepRequest, clock: GateClock | None) -> list[object]:
    """Thread A closes, thread B marks ``injured``; returns [A's outcome, B's outcome]."""
    results: list[object] = [None, None]
    barrier = threading.Barrier(2)

    def close() -> None:
        barrier.wait()
        try:
            results[0] = closing.desk.close(incident, "patrol handled it", ANA).state
        except ConflictError as error:
            results[0] = error

    def mark() -> None:
        barrier.wait()
        if clock is not None:
            clock.go.wait(30)
        try:
            results[1] = marking.sop.act(incident, "injured", request, BOB)["complete"]
        except ConflictError as error:
            results[1] = error
        finally:
            if clock is not None:
                clock.other_done.set()

    threads = [threading.Thread(target=close), threading.Thread(target=mark)]
    if clock is not None:
        clock.closer = threads[0]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("gate_at", [1, 2])
def test_a_step_answered_between_check_and_close_blocks_it(
    tmp_path: Path, gate_at: int, db_url: str | None
) -> None:
    """The answer "someone is hurt" (a new required step) lands after the close checked
    the steps and before it wrote: the close must see it and refuse."""
    clock = GateClock(gate_at)
    store_a, closing = open_service(tmp_path, response_config(), clock, url=db_url)
    store_b, marking = open_service(tmp_path, response_config(), clock, url=db_url)
    try:
        incident = _ready_to_close(closing)
        clock.calls = 0
        results = _run(closing, marking, incident, YES, clock)
        state, blocking = _consistent(closing, incident)
        if gate_at == 1:  # the answer came between the check and the write
            assert isinstance(results[0], ConflictError), results
            assert "call_ambulance" in str(results[0])
            assert (state, blocking) == ("open", ["call_ambulance"])
    finally:
        store_a.close()
        store_b.close()


def test_free_running_races_never_close_with_open_steps(
    tmp_path: Path, db_url: str | None
) -> None:
    store_a, closing = open_service(tmp_path, response_config(), FakeClock(), url=db_url)
    store_b, marking = open_service(tmp_path, response_config(), FakeClock(), url=db_url)
    outcomes = set()
    try:
        for _ in range(ROUNDS):
            incident = _ready_to_close(closing)
            results = _run(closing, marking, incident, YES, None)
            state, _ = _consistent(closing, incident)
            closed_first = results[0] == "closed"
            assert closed_first == (state == "closed"), results
            assert closed_first == isinstance(results[1], ConflictError), results
            outcomes.add(state)
    finally:
        store_a.close()
        store_b.close()
    assert outcomes <= {"open", "closed"}
