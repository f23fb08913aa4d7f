"""Alarm queue on a SQLite file with many stored alarms: page and action latency.

Stores N alarms (default 10,000; 20 cameras, mixed kinds, a quarter resolved)
straight into the tables, then times with the real repository and service:
the first queue page (50), a filtered page (new + high, one camera of a scoped
user's five), a page deep in the queue (keyset cursor), a routed operator's
queue (their sector: half the cameras), one alarm's history, an
acknowledge (compare-and-set, history row and audit record) and a resolve.

Usage:
    .venv/bin/python benchmarks/alarm_queue.py [--alarms N] [--runs R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from kuzet.config.response import Priority
from kuzet.response.actor import Actor
from kuzet.response.alarms import AlarmQuery
from kuzet.response.models import AlarmRow
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.shifts import OperatorView
from kuzet.response.states import QUEUE_RANK, Action, AlarmState, Verdict
from kuzet.store import open_store

KINDS = ("zone_presence", "fight", "loitering", "crowd", "plate_hit")
PRIORITIES = (Priority.MEDIUM, Priority.HIGH, Priority.LOW, Priority.MEDIUM, Priority.CRITICAL)


def _rows(n: int, start: datetime) -> list[AlarmRow]:
    rows = []
    for i in range(n):
        state = AlarmState.RESOLVED if i % 4 == 0 else AlarmState.NEW
        prio = PRIORITIES[i % len(PRIORITIES)]
        at = start + timedelta(seconds=i)
        rows.append(AlarmRow(
            id=f"ev-{i:06d}", camera_id=f"cam-{i % 20:02d}", kind=KINDS[i % len(KINDS)],
            rule_id="r", severity="alert", priority=prio.value, priority_rank=prio.rank,
            state=state.value, queue_rank=QUEUE_RANK[state], queue="operators", event_at=at,
            sector="north" if i % 20 < 10 else "south",
            opened_at=at, updated_at=at, attrs={"labels": ["person"]}, version=1))
    return rows


def _ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    """Build the table, print median milliseconds per operation."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alarms", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(None, Path(tmp))
        with Session(store.engine) as session, session.begin():
            session.add_all(_rows(args.alarms, datetime(2026, 1, 1, tzinfo=UTC)))
        service = ResponseService(store.engine)
        repo = service.alarms
        scoped = [f"cam-{i:02d}" for i in range(5)]
        deep = repo.page(AlarmQuery(limit=500)).next_cursor
        ids = iter([f"ev-{i:06d}" for i in range(1, args.alarms) if i % 4][: args.runs * 2])
        ana = Actor("ana", "u1")

        def ack_and_resolve() -> None:
            alarm_id = next(ids)
            service.act(alarm_id, ActionRequest(Action.ACKNOWLEDGE), ana)
            service.act(alarm_id, ActionRequest(Action.RESOLVE, verdict=Verdict.NO_ACTION), ana)

        figures = {
            "first page (50)": _ms(lambda: repo.page(AlarmQuery()), args.runs),
            "new+high, 5 cameras": _ms(lambda: repo.page(AlarmQuery(
                states=["new"], priorities=["high"], cameras=scoped)), args.runs),
            "page after 500": _ms(lambda: repo.page(AlarmQuery(cursor=deep)), args.runs),
            "routed operator (north)": _ms(lambda: repo.page(AlarmQuery(
                view=OperatorView("u1", ("north",)))), args.runs),
            "one alarm + history": _ms(lambda: repo.history(["ev-000001"]), args.runs),
            "acknowledge + resolve": _ms(ack_and_resolve, args.runs),
        }
        store.close()
    print(f"{args.alarms} alarms, median of {args.runs} runs:")
    for name, ms in figures.items():
        print(f"  {name:24s} {ms:7.2f} ms")


if __name__ == "__main__":
    main()
