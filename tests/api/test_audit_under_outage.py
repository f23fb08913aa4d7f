"""Audit during a database outage (issue 14): synchronous, never lost, chain intact.

A request whose audit record cannot be written is refused with 503 (a view is
recorded before anything is shown, so nothing leaves unrecorded); before, it
answered 500. An alarm the server opens from a camera event is written in one
transaction with its ``alarm.open`` record, so a store failing between them
rolls back both and the outbox retries the whole; before, the retry found the
alarm stored and its record was lost for good.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from api_factories import bearer, make_event, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.core.types import Evidence
from kuzet.privacy.audit import AuditQuery
from kuzet.privacy.audit_verify import verify_audit
from kuzet.render.jpeg import encode_jpeg
from kuzet.response.sink import AlarmSink
from kuzet.store.outbox import Outbox

pytestmark = pytest.mark.faults


def _records(deps: AppDeps, action: str) -> list[Any]:
    return deps.audit.list(AuditQuery(action=action)).items


@pytest.fixture
def viewer(deps: AppDeps) -> Iterator[TestClient]:
    make_user(deps, "olga", "operator")
    app = create_app(deps)
    with TestClient(app, headers=bearer(deps, "olga"), raise_server_exceptions=False) as client:
        yield client


def test_a_view_that_cannot_be_audited_is_refused_with_503(
    deps: AppDeps, viewer: TestClient, tmp_path: Path
) -> None:
    key = "snapshots/gate/ev-1.jpg"
    deps.media.put(key, encode_jpeg(np.zeros((48, 64, 3), np.uint8), 80))
    deps.bus.publish(make_event(evidence=Evidence(key, "0" * 64)))
    path = "/api/events/ev-1/snapshot.jpg"
    lock = sqlite3.connect(tmp_path / "kuzet.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # writers wait busy_timeout (10 s), then fail
    try:
        refused = viewer.get(path)
    finally:
        lock.execute("COMMIT")
        lock.close()
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "5" and "image" not in refused.headers["content-type"]
    assert "database is locked" in refused.json()["detail"]
    assert _records(deps, "evidence.view") == []
    served = viewer.get(path)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert len(_records(deps, "evidence.view")) == 1
    assert verify_audit(deps.store.engine, None).ok


@pytest.fixture
def audit_refused(deps: AppDeps) -> Iterator[list[bool]]:
    """While ``flag[0]``, the database refuses writes to the audit chain (locked)."""
    flag = [False]

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if flag[0] and statement.lstrip().upper().startswith("UPDATE AUDIT_HEAD"):
            raise sqlite3.OperationalError("database is locked")

    sa.event.listen(deps.store.engine, "before_cursor_execute", before)
    yield flag
    sa.event.remove(deps.store.engine, "before_cursor_execute", before)


def test_an_alarm_and_its_record_are_written_together(
    deps: AppDeps, audit_refused: list[bool], tmp_path: Path
) -> None:
    box = Outbox(tmp_path / "outbox.db")
    sink = AlarmSink(deps.response)
    box.handle("alarm", lambda event, _key: sink(event))
    audit_refused[0] = True
    box.put("alarm", make_event(id="ev-9"))
    assert box.drain_once() == 0 and box.state().degraded
    assert not deps.response.alarms.exists("ev-9"), "rolled back with its record"
    audit_refused[0] = False
    assert box.drain_once() == 1
    box.stop(0)
    assert deps.response.alarms.exists("ev-9")
    assert [r.target for r in _records(deps, "alarm.open")] == ["ev-9"]
    assert verify_audit(deps.store.engine, None).ok
