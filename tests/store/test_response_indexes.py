"""The queue, history, escalation and handover queries use an index (issue 15 gap 7):
SQLite's query plan on the migrated schema names one, never a full scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzet.store import open_store

T = "'2026-01-01 00:00:00.000000'"
# what each page or job asks (shapes of the repositories' statements) -> the index used
PLANS = [
    ("history, newest first", "SELECT id FROM alarms ORDER BY opened_at DESC, id DESC "
     "LIMIT 101", "ix_alarms_opened"),
    ("history / statistics / handover time range", f"SELECT id, kind FROM alarms WHERE "
     f"opened_at >= {T} AND opened_at < {T} ORDER BY opened_at DESC, id DESC",
     "ix_alarms_opened"),
    ("resolve limit scan (every few seconds)", f"SELECT id FROM alarms WHERE state != "
     f"'resolved' AND resolve_due_at <= {T} AND resolve_breached_at IS NULL "
     "ORDER BY resolve_due_at LIMIT 200", "ix_alarms_resolve_due"),
    ("queue filtered by sector", "SELECT id FROM alarms WHERE sector IN ('north') "
     "ORDER BY queue_rank, priority_rank, opened_at, id LIMIT 201", "ix_alarms_sector_queue"),
    ("an owner's open alarms (shift end)", "SELECT id FROM alarms WHERE owner_id = 'u1' "
     "AND state != 'resolved'", "ix_alarms_owner_state"),
    ("handover workload", f"SELECT alarm_id FROM alarm_history WHERE at >= {T} AND at < {T}",
     "ix_alarm_history_at"),
    ("incidents by sector", "SELECT id FROM incidents WHERE sector IN ('north') "
     "ORDER BY opened_at DESC, id DESC LIMIT 51", "ix_incidents_sector_opened"),
    ("notices of an alarm", "SELECT id FROM supervisor_notices WHERE alarm_id = 'a1'",
     "ix_supervisor_notices_alarm"),
]


@pytest.mark.parametrize(("what", "sql", "index"), PLANS, ids=[p[0] for p in PLANS])
def test_query_uses_its_index(tmp_path: Path, what: str, sql: str, index: str) -> None:
    store = open_store(None, tmp_path / "data")
    try:
        with store.engine.connect() as conn:
            plan = [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    finally:
        store.close()
    assert any(f"INDEX {index}" in step for step in plan), (what, plan)
