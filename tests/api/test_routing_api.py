"""Sector routing over HTTP: the rota (shifts API), operators' queues and actions, sectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from api_factories import bearer, make_event, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.sectors import SectorConfig, sector_of_cameras
from kuzet.privacy.audit import AuditQuery
from kuzet.response.shifts import Routing
from kuzet.response.sink import AlarmSink

ALMATY = ZoneInfo("Asia/Almaty")
USERS = [("ana", "operator"), ("bob", "operator"), ("sue", "supervisor"), ("alan", "analyst")]


@pytest.fixture
def api(deps: AppDeps) -> Any:
    """``api(user, method, path, json)`` with sectors north (gate) and south (hall)."""
    sectors = {"north": SectorConfig(name="North", cameras=["gate"]),
               "south": SectorConfig(cameras=["hall"])}
    cameras = sector_of_cameras(sectors, {"gate": None, "hall": None})
    deps.response.routing = Routing(deps.store.engine, sectors, cameras, ALMATY)
    deps.bus.subscribe(AlarmSink(deps.response))
    for name, role in USERS:
        make_user(deps, name, role)
    tokens = {name: bearer(deps, name) for name, _ in [*USERS, ("admin", "")]}
    client = TestClient(create_app(deps))

    def call(user: str, method: str, path: str, json: Any = None) -> httpx.Response:
        return client.request(method, path, json=json, headers=tokens[user])

    with client:
        yield call


def _local_now() -> datetime:
    """Site wall-clock time, naive (as a rota tool would send it)."""
    return datetime.now(UTC).astimezone(ALMATY).replace(tzinfo=None, microsecond=0)


def _ids(api: Any, user: str, query: str = "") -> list[str]:
    answer = api(user, "GET", f"/api/alarms{query}")
    assert answer.status_code == 200, answer.text
    return sorted(a["id"] for a in answer.json()["items"])


def test_rota_routes_the_queue(deps: AppDeps, api: Any) -> None:
    start = _local_now() - timedelta(hours=1)
    shift = {"username": "ana", "sectors": ["north"], "start": start.isoformat(),
             "end": (start + timedelta(hours=8)).isoformat(), "note": "day shift"}
    assert api("ana", "POST", "/api/shifts", shift).status_code == 403  # operators do not
    made = api("sue", "POST", "/api/shifts", shift)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["timezone"] == "Asia/Almaty" and body["start_local"] == start.isoformat() + "+05:00"
    deps.bus.publish(make_event(id="ev-n", camera_id="gate"))
    deps.bus.publish(make_event(id="ev-s", camera_id="hall"))
    north = api("sue", "GET", "/api/alarms/ev-n").json()
    south = api("sue", "GET", "/api/alarms/ev-s").json()
    assert (north["sector"], north["queue"]) == ("north", "operators")
    assert (south["sector"], south["queue"]) == ("south", "supervisors")  # nobody on shift
    assert _ids(api, "ana") == ["ev-n"]
    assert _ids(api, "bob") == []
    assert _ids(api, "sue") == ["ev-n", "ev-s"]
    assert _ids(api, "alan") == ["ev-n", "ev-s"]  # readers are not routed
    assert _ids(api, "sue", "?sector=south") == ["ev-s"]
    refused = api("bob", "POST", "/api/alarms/ev-n/acknowledge")
    assert refused.status_code == 403 and "not on shift" in refused.json()["detail"]
    assert api("ana", "POST", "/api/alarms/ev-s/acknowledge").status_code == 403
    assert api("ana", "POST", "/api/alarms/ev-n/acknowledge").status_code == 200
    assigned = api("sue", "POST", "/api/alarms/ev-s/assign", {"owner": "bob"})
    assert assigned.status_code == 200, assigned.text
    assert _ids(api, "bob") == ["ev-s"]  # their own now, outside any shift


def test_sectors_and_shift_lists(deps: AppDeps, api: Any) -> None:
    start = _local_now() - timedelta(hours=2)
    for user, sector in (("ana", "north"), ("bob", "south")):
        shift = {"username": user, "sectors": [sector], "start": start.isoformat(),
                 "end": (start + timedelta(hours=12)).isoformat()}
        assert api("admin", "POST", "/api/shifts", shift).status_code == 201
    sectors = api("ana", "GET", "/api/sectors").json()
    assert sectors["timezone"] == "Asia/Almaty"
    assert [(s["id"], s["name"], s["cameras"], s["on_duty"]) for s in sectors["items"]] == [
        ("north", "North", ["gate"], ["ana"]), ("south", "south", ["hall"], ["bob"])]
    assert [s["username"] for s in api("ana", "GET", "/api/shifts").json()] == ["ana"]
    assert sorted(s["username"] for s in api("sue", "GET", "/api/shifts").json()) == ["ana", "bob"]
    assert [s["username"] for s in api("sue", "GET", "/api/shifts?sector=south").json()] == ["bob"]
    assert api("alan", "GET", "/api/shifts").status_code == 403
    shift_id = api("sue", "GET", "/api/shifts?username=bob").json()[0]["id"]
    assert api("bob", "DELETE", f"/api/shifts/{shift_id}").status_code == 403
    assert api("sue", "DELETE", f"/api/shifts/{shift_id}").status_code == 204
    assert api("sue", "DELETE", f"/api/shifts/{shift_id}").status_code == 404
    actions = [r.action for r in deps.audit.list(AuditQuery(action="shift.", limit=500)).items]
    assert actions.count("shift.create") == 2 and actions.count("shift.delete") == 1


@pytest.mark.parametrize(("change", "status"), [
    ({"sectors": ["west"]}, 422),                 # unknown sector
    ({"username": "alan"}, 422),                  # analysts handle no alarms
    ({"username": "nobody"}, 422),
    ({"hours": 30}, 422),                         # longer than 24 h
    ({"hours": -1}, 422),                         # ends before it starts
])  # fmt: skip
def test_bad_shifts(api: Any, change: dict[str, Any], status: int) -> None:
    start = _local_now()
    hours = change.pop("hours", 8)
    shift = {"username": "ana", "sectors": ["north"], "start": start.isoformat(),
             "end": (start + timedelta(hours=hours)).isoformat(), **change}
    answer = api("sue", "POST", "/api/shifts", shift)
    assert answer.status_code == status, answer.text


def test_incidents_carry_their_alarms_sector(deps: AppDeps, api: Any) -> None:
    """An incident's sector comes from its alarms' cameras, follows links and splits,
    is returned and filters ``GET /api/incidents?sector=`` (issue 15 gap 1)."""
    for n, camera in enumerate(["gate", "gate", "hall"]):
        deps.bus.publish(make_event(id=f"ev-{n}", camera_id=camera))
    phone = api("sue", "POST", "/api/incidents", {"type": "phone_call", "priority": "low"})
    assert phone.status_code == 201 and phone.json()["sector"] is None  # no alarm: none
    made = api("sue", "POST", "/api/incidents",
               {"type": "fight", "priority": "high", "alarm_ids": ["ev-2"]}).json()
    assert made["sector"] == "south"
    linked = api("sue", "POST", f"/api/incidents/{made['id']}/alarms",
                 {"alarm_ids": ["ev-0", "ev-1"]}).json()
    assert linked["sector"] == "north"  # two of its three alarms are north's
    split = api("sue", "POST", f"/api/incidents/{made['id']}/split",
                {"alarm_ids": ["ev-0", "ev-1"], "new_incident": True}).json()
    assert (split["sector"], split["new"]["sector"]) == ("south", "north")
    listed = api("sue", "GET", "/api/incidents?sector=north").json()["items"]
    assert [i["id"] for i in listed] == [split["new"]["id"]]
    south = api("sue", "GET", "/api/incidents?sector=south").json()["items"]
    assert [i["id"] for i in south] == [made["id"]]
    both = api("alan", "GET", "/api/incidents?sector=north&sector=south").json()["items"]
    assert {i["id"] for i in both} == {made["id"], split["new"]["id"]}
    assert api("sue", "GET", f"/api/incidents/{made['id']}").json()["sector"] == "south"


def test_queue_page_sector_filter_follows_the_url(api: Any) -> None:
    page = api("sue", "GET", "/queue?sector=south&sector=nowhere")
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="filter-sector"' in html
    north = html.split('value="north"', 1)[1].split(">", 1)[0]
    south = html.split('value="south"', 1)[1].split(">", 1)[0]
    assert "checked" in south and "checked" not in north
    assert "nowhere" not in html


def test_shift_end_notices_over_http(deps: AppDeps, api: Any) -> None:
    """A shift's end re-routes its alarms; supervisors list and acknowledge the notices."""
    from kuzet.response.shift_end import reroute_ended_shifts

    start = _local_now() - timedelta(hours=1)
    shift = {"username": "ana", "sectors": ["north"], "start": start.isoformat(),
             "end": (start + timedelta(hours=2)).isoformat()}
    assert api("sue", "POST", "/api/shifts", shift).status_code == 201
    deps.bus.publish(make_event(id="ev-n", camera_id="gate"))
    assert api("ana", "POST", "/api/alarms/ev-n/acknowledge").status_code == 200
    later = datetime.now(UTC) + timedelta(hours=2)
    assert [e.rerouted for e in reroute_ended_shifts(deps.response, later)] == [["ev-n"]]
    alarm = api("sue", "GET", "/api/alarms/ev-n").json()
    assert (alarm["queue"], alarm["owner"], alarm["state"]) == (
        "supervisors", None, "acknowledged")
    assert api("ana", "POST", "/api/alarms/ev-n/dispatch", {"unit": "p-1"}).status_code == 403
    notices = api("sue", "GET", "/api/notices").json()["items"]
    assert [(n["kind"], n["alarm_id"], n["incident_id"]) for n in notices] == [
        ("alarm_rerouted", "ev-n", None)]
    seen = api("sue", "POST", f"/api/notices/{notices[0]['id']}/acknowledge")
    assert seen.status_code == 200 and seen.json()["acknowledged_by"] == "sue"
