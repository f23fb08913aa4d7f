"""Alarm history search and CSV export over HTTP; alarm changes on the SSE stream; the pages."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from api_factories import bearer, make_event, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.core.types import EventKind
from kuzet.privacy.audit import AuditQuery
from kuzet.privacy.audit_verify import verify_audit
from kuzet.response.sink import AlarmSink

USERS = [("ana", "operator"), ("sue", "supervisor"), ("alan", "analyst"), ("aud", "auditor"),
         ("adm", "admin")]
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def api(deps: AppDeps) -> Any:
    """``api(user, method, path, **kw)`` with that user's token; alarms on the bus."""
    deps.bus.subscribe(AlarmSink(deps.response))
    for name, role in USERS:
        make_user(deps, name, role)
    make_user(deps, "olga", "analyst", cameras=["hall"])
    tokens = {name: bearer(deps, name) for name, _ in [*USERS, ("olga", "")]}
    client = TestClient(create_app(deps))

    def call(user: str, method: str, path: str, **kw: Any) -> httpx.Response:
        return client.request(method, path, headers=tokens[user], **kw)

    with client:
        yield call


def _seed(deps: AppDeps, api: Any) -> None:
    """Four alarms: gate fight (resolved confirmed, commented), gate plate hit, hall crowd x2."""
    deps.bus.publish(make_event(id="a1", kind=EventKind.FIGHT, started_at=T0))
    deps.bus.publish(make_event(id="a2", kind=EventKind.PLATE_HIT, rule_id="hotlist:h1",
                                started_at=T0 + timedelta(minutes=1),
                                attrs={"plate": "A123BC"}))
    deps.bus.publish(make_event(id="a3", camera_id="hall", kind=EventKind.CROWD,
                                started_at=T0 + timedelta(minutes=2)))
    deps.bus.publish(make_event(id="a4", camera_id="hall", kind=EventKind.CROWD,
                                started_at=T0 + timedelta(minutes=3)))
    assert api("ana", "POST", "/api/alarms/a1/acknowledge").status_code == 200
    comment = {"text": "Suspect left towards the Metro exit"}
    assert api("ana", "POST", "/api/alarms/a1/comment", json=comment).status_code == 200
    resolved = api("ana", "POST", "/api/alarms/a1/resolve", json={"verdict": "confirmed"})
    assert resolved.status_code == 200


CASES = [
    ("", ["a4", "a3", "a2", "a1"]),
    ("verdict=confirmed", ["a1"]),
    ("state=new", ["a4", "a3", "a2"]),
    ("kind=crowd&camera=hall", ["a4", "a3"]),
    ("site=HQ", ["a4", "a3", "a2", "a1"]),
    ("site=Elsewhere", []),
    ("plate=a123*", ["a2"]),
    ("plate=B*", []),
    ("text=metro", ["a1"]),
    ("text=100%25", []),
    ("priority=high&kind=fight", ["a1"]),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_history_filters(deps: AppDeps, api: Any, query: str, expected: list[str]) -> None:
    _seed(deps, api)
    answer = api("sue", "GET", f"/api/history/alarms?{query}")
    assert answer.status_code == 200, answer.text
    assert [a["id"] for a in answer.json()["items"]] == expected


def test_history_time_range_pages_scope_and_roles(deps: AppDeps, api: Any) -> None:
    _seed(deps, api)
    opened = {a["id"]: a["opened_at"]
              for a in api("sue", "GET", "/api/history/alarms").json()["items"]}
    since = opened["a3"]
    ranged = api("sue", "GET", "/api/history/alarms", params={"since": since}).json()["items"]
    assert [a["id"] for a in ranged] == ["a4", "a3"]
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = api("sue", "GET", "/api/history/alarms", params=params).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["a4", "a3", "a2", "a1"]
    assert [a["id"] for a in api("olga", "GET", "/api/history/alarms").json()["items"]] == [
        "a4", "a3"]
    assert api("olga", "GET", "/api/history/alarms?camera=gate").status_code == 403
    for user in ("ana", "aud", "adm"):  # no `search` permission
        assert api(user, "GET", "/api/history/alarms").status_code == 403
    assert api("sue", "GET", "/api/history/alarms?cursor=zzz").status_code == 400


def test_csv_export_is_scoped_and_audited(deps: AppDeps, api: Any) -> None:
    _seed(deps, api)
    for user in ("ana", "aud", "adm"):  # no `export`, no `supervise_alarms`
        assert api(user, "GET", "/api/history/alarms.csv").status_code == 403, user
    answer = api("olga", "GET", "/api/history/alarms.csv?kind=crowd")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["id"] for r in rows] == ["a4", "a3"]
    assert rows[0]["site"] == "HQ" and rows[0]["opened_at_utc"].endswith("+00:00")
    full = list(csv.DictReader(io.StringIO(api("alan", "GET", "/api/history/alarms.csv").text)))
    assert [r["id"] for r in full] == ["a4", "a3", "a2", "a1"]
    assert full[3]["verdict"] == "confirmed" and full[2]["plate"] == "A123BC"
    by_supervisor = api("sue", "GET", "/api/history/alarms.csv?state=resolved")
    assert by_supervisor.status_code == 200  # supervisors export too (issue 15 gap 8)
    assert [r["id"] for r in csv.DictReader(io.StringIO(by_supervisor.text))] == ["a1"]
    records = deps.audit.list(AuditQuery(action="alarm.export")).items
    assert [(r.actor, r.details["rows"]) for r in records] == [
        ("sue", 1), ("alan", 4), ("olga", 2)]
    assert verify_audit(deps.store.engine, None).ok


def test_csv_cells_cannot_run_as_formulas(deps: AppDeps, api: Any) -> None:
    deps.bus.publish(make_event(id="f1", started_at=T0))
    api("ana", "POST", "/api/alarms/f1/acknowledge")
    api("ana", "POST", "/api/alarms/f1/dispatch", json={"unit": "=HYPERLINK(\"x\")"})
    row = next(csv.DictReader(io.StringIO(api("alan", "GET", "/api/history/alarms.csv").text)))
    assert row["unit"] == "'=HYPERLINK(\"x\")"


def _read_stream(url: str, headers: dict[str, str], out: list[tuple[str, Any]],
                 ready: threading.Event, want: int) -> None:
    with httpx.stream("GET", f"{url}/api/events/stream", headers=headers, timeout=10) as resp:
        name = ""
        for line in resp.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                if name == "ready":
                    ready.set()
                elif name in ("alarm", "incident"):
                    out.append((name, json.loads(line[6:])))
                    if len(out) >= want:
                        return


def test_stream_carries_alarm_and_incident_changes_in_scope(deps: AppDeps, server: str) -> None:
    deps.bus.subscribe(AlarmSink(deps.response))
    make_user(deps, "ana", "operator")
    make_user(deps, "olga", "operator", cameras=["hall"])
    got: dict[str, list[tuple[str, Any]]] = {"ana": [], "olga": []}
    readers = []
    for name, want in (("ana", 3), ("olga", 1)):
        ready = threading.Event()
        thread = threading.Thread(target=_read_stream, daemon=True,
                                  args=(server, bearer(deps, name), got[name], ready, want))
        thread.start()
        assert ready.wait(5)
        readers.append(thread)
    deps.bus.publish(make_event(id="g1", started_at=T0))  # gate: ana only
    token = bearer(deps, "ana")
    httpx.post(f"{server}/api/alarms/g1/acknowledge", headers=token)
    httpx.post(f"{server}/api/incidents", headers=token,
               json={"type": "phone_call", "priority": "high", "location": "Abay Ave 10"})
    deps.bus.publish(make_event(id="h1", camera_id="hall", started_at=T0))  # both
    for thread in readers:
        thread.join(10)
    assert [(n, d["id"], d["action"]) for n, d in got["ana"]][:2] == [
        ("alarm", "g1", "open"), ("alarm", "g1", "acknowledge")]
    assert got["ana"][2][0] == "incident" and got["ana"][2][1]["location"] == "Abay Ave 10"
    # olga (hall only) never gets the gate alarm; a manual incident (no alarms) is public
    assert got["olga"] and all(d.get("camera_id") in (None, "hall") for _, d in got["olga"])


PAGES = [
    ("/queue", {"ana": 200, "sue": 200, "alan": 403, "aud": 403, "adm": 403}),
    ("/history", {"ana": 403, "sue": 200, "alan": 200, "aud": 403, "adm": 403}),
]


@pytest.mark.parametrize(("path", "expected"), PAGES)
def test_pages_and_nav_follow_permissions(api: Any, path: str,
                                          expected: dict[str, int]) -> None:
    for user, status in expected.items():
        answer = api(user, "GET", path)
        assert answer.status_code == status, (user, answer.text[:200])
        home = api(user, "GET", "/").text
        link = "nav-queue" if path == "/queue" else "nav-history"
        assert (f'data-testid="{link}"' in home) == (status == 200), user


def test_incident_page_scope(deps: AppDeps, api: Any) -> None:
    deps.bus.publish(make_event(id="g1", started_at=T0))
    made = api("sue", "POST", "/api/incidents",
               json={"type": "fight", "priority": "high", "alarm_ids": ["g1"]}).json()
    assert api("ana", "GET", f"/incidents/{made['id']}").status_code == 200
    assert api("olga", "GET", f"/incidents/{made['id']}").status_code == 403
    assert api("sue", "GET", "/incidents/nope").status_code == 404
    page = api("ana", "GET", f"/incidents/{made['id']}").text
    assert 'data-testid="procedure"' in page and "data-tz=" in page
