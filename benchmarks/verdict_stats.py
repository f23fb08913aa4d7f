"""Verdict statistics and the shift handover on a SQLite file with many stored alarms.

Stores N alarms (default 10,000 over 12 weeks; 20 cameras, 40 rules, three in four
resolved with a verdict, acknowledge and resolve times spread over minutes) and
their acknowledge/resolve history rows straight into the tables, then times with
the real code: every figure of the 12 weeks (per rule, camera, week and rule x
week), the same for a scoped user's 5 cameras, one rule's floor check after a
verdict (what :class:`RuleFlags` runs), and an 8-hour handover report.

Usage:
    .venv/bin/python benchmarks/verdict_stats.py [--alarms N] [--runs R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kuzet.config.feedback import FeedbackConfig
from kuzet.config.response import ResponseConfig
from kuzet.response.flags import RuleFlags
from kuzet.response.handover import HandoverDesk, ShiftQuery
from kuzet.response.models import AlarmHistoryRow, AlarmRow
from kuzet.response.service import ResponseService
from kuzet.response.states import QUEUE_RANK, AlarmState
from kuzet.response.stats import Floor, Span, verdict_stats
from kuzet.store import open_store

VERDICTS = ("confirmed", "false_alarm", "confirmed", "duplicate", "confirmed", "no_action",
            "referred", "false_alarm")
WEEKS = 12
END = datetime(2026, 3, 30, tzinfo=UTC)


def _rows(n: int) -> tuple[list[AlarmRow], list[AlarmHistoryRow]]:
    alarms, history = [], []
    step = WEEKS * 7 * 86400 / n
    for i in range(n):
        opened = END - timedelta(seconds=(n - i) * step)
        resolved = i % 4 != 0
        state = AlarmState.RESOLVED if resolved else AlarmState.ACKNOWLEDGED
        acked = opened + timedelta(seconds=20 + i % 300)
        done = opened + timedelta(seconds=900 + i % 3600)
        operator = f"op{i % 6}"
        alarms.append(AlarmRow(
            id=f"ev-{i:06d}", camera_id=f"cam-{i % 20:02d}", kind="zone_presence",
            rule_id=f"rule-{i % 40:02d}", severity="alert", priority="medium", priority_rank=2,
            state=state.value, queue_rank=QUEUE_RANK[state], queue="operators", owner=operator,
            owner_id=operator, verdict=VERDICTS[i % len(VERDICTS)] if resolved else None,
            event_at=opened, opened_at=opened, updated_at=opened, acknowledged_at=acked,
            resolved_at=done if resolved else None, attrs={}, version=2))
        history.append(AlarmHistoryRow(alarm_id=f"ev-{i:06d}", action="acknowledge",
                                       from_state="new", to_state="acknowledged", actor=operator,
                                       actor_id=operator, at=acked, details={}))
        if resolved:
            history.append(AlarmHistoryRow(
                alarm_id=f"ev-{i:06d}", action="resolve", from_state="acknowledged",
                to_state="resolved", actor=operator, actor_id=operator, at=done,
                details={"verdict": VERDICTS[i % len(VERDICTS)]}))
    return alarms, history


def _ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds (CPU time is what the call costs on a busy machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    """Build the tables, print median milliseconds per operation."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alarms", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(None, Path(tmp))
        alarms, history = _rows(args.alarms)
        with Session(store.engine) as session, session.begin():
            session.add_all(alarms)
        with Session(store.engine) as session, session.begin():
            session.add_all(history)
        config = ResponseConfig(feedback=FeedbackConfig(window_days=WEEKS * 7))
        service = ResponseService(store.engine, config=config, clock=lambda: END)
        flags = RuleFlags(store.engine, service)
        desk = HandoverDesk(store.engine, service)
        zone, floor = ZoneInfo("Asia/Almaty"), Floor(0.5, 20)
        span = Span(END - timedelta(weeks=WEEKS), END)
        scoped = Span(span.since, span.until, [f"cam-{i:02d}" for i in range(5)])
        stats = verdict_stats(store.engine, span, zone, floor)
        shift = ShiftQuery(END - timedelta(hours=8), END)
        results = {
            f"all figures, {WEEKS} weeks, {stats.total.alarms} alarms":
                _ms(lambda: verdict_stats(store.engine, span, zone, floor), args.runs),
            "all figures, scoped to 5 of 20 cameras":
                _ms(lambda: verdict_stats(store.engine, scoped, zone, floor), args.runs),
            "one rule's floor check (after a verdict)":
                _ms(lambda: flags.check(["rule-07"]), args.runs),
            "handover report, 8 h": _ms(lambda: desk.report(shift), args.runs),
        }
        store.close()
    print(f"{len(stats.rules)} rules, {len(stats.weeks)} weeks, precision "
          f"{stats.total.precision:.3f}, flagged {stats.flagged}")
    for name, (wall, cpu) in results.items():
        print(f"{name:45s} {wall:7.1f} ms wall {cpu:7.1f} ms CPU (median of {args.runs})")


if __name__ == "__main__":
    main()
