"""Role homes, navigation, error pages, the admin page's config view, camera outages,
plate reads once per pass and face-sighting crops (in-process, real store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from api_factories import make_user, sign_in
from fastapi import APIRouter
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.api.auth import AuthFirstRoute
from kuzet.api.config_view import config_rows
from kuzet.api.navigation import NAVIGATION, entries_for, home_for
from kuzet.api.outages import outage_history, outage_totals
from kuzet.api.routers.face_sightings import sighting_json
from kuzet.api.testing import make_jpeg
from kuzet.config.security import OidcConfig, SecurityConfig
from kuzet.core.roles import Role
from kuzet.core.sightings import FaceProbe, PlateRead
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.identity.plate_reads import PlateReadRepo
from kuzet.privacy.audit import AuditQuery
from kuzet.privacy.principal import Principal
from kuzet.privacy.roles import permissions_for

HTML = {"Accept": "text/html,application/xhtml+xml"}
NOW = datetime.now(UTC)


def _client(deps: AppDeps, role: str) -> TestClient:
    if role != "admin":
        make_user(deps, role, role)
    client = TestClient(create_app(deps), follow_redirects=False)
    sign_in(client, role)
    return client


@pytest.mark.parametrize(
    ("role", "home"),
    [("operator", "/queue"), ("supervisor", "/queue"), ("analyst", "/search"),
     ("auditor", "/audit"), ("admin", "/admin"), ("field_officer", "/field")],
)
def test_root_sends_each_role_home(deps: AppDeps, role: str, home: str) -> None:
    client = _client(deps, role)
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == home
    assert client.get(home, headers=HTML).status_code == 200


def test_every_linked_page_opens_for_those_shown_the_link(deps: AppDeps) -> None:
    for role in Role:
        user = Principal("u", "u", role, permissions_for(role))
        client = _client(deps, role.value)
        for entry in NAVIGATION:
            status = client.get(entry.path, headers=HTML).status_code
            assert (status == 200) == (entry in entries_for(user)), (role, entry.path, status)
        assert home_for(user) in {e.path for e in entries_for(user)}


@pytest.mark.parametrize(
    ("path", "accept", "status", "kind"),
    [("/admin", HTML["Accept"], 403, "page"), ("/no-such-page", HTML["Accept"], 404, "page"),
     ("/admin", "application/json", 403, "json"), ("/api/users", HTML["Accept"], 403, "json"),
     ("/api/no-such", HTML["Accept"], 404, "json"), ("/boom", HTML["Accept"], 500, "page"),
     ("/boom", "*/*", 500, "text")],
)
def test_error_pages_for_browsers_json_for_the_api(
    deps: AppDeps, path: str, accept: str, status: int, kind: str
) -> None:
    make_user(deps, "ana", "analyst")
    boom = APIRouter(route_class=AuthFirstRoute)

    @boom.get("/boom")
    def explode() -> None:
        raise RuntimeError("a bug")

    app = create_app(deps)
    app.include_router(boom)
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        sign_in(client, "ana")
        answer = client.get(path, headers={"Accept": accept})
    assert answer.status_code == status
    if kind == "page":
        assert f'data-status="{status}"' in answer.text and "console.css" in answer.text
        assert 'data-testid="nav-search"' in answer.text  # the analyst's own navigation
        assert "a bug" not in answer.text
    elif kind == "json":
        assert "detail" in answer.json()
    else:
        assert answer.text == "Internal Server Error"


def test_signed_out_page_goes_to_sign_in(anon: TestClient) -> None:
    answer = anon.get("/admin", headers=HTML)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fadmin"


def test_admin_page_withholds_secrets(deps: AppDeps) -> None:
    oidc = OidcConfig(issuer="https://idp.example", client_id="kuzet",
                      client_secret="hunter2-secret-value")
    deps.security = SecurityConfig(oidc=oidc)
    deps.timezone = "Asia/Almaty"
    page = _client(deps, "admin").get("/admin", headers=HTML).text
    assert "hunter2" not in page and "(set, not shown)" in page
    assert "Asia/Almaty" in page and "https://idp.example" in page
    views = deps.audit.list(AuditQuery(action="config.view")).items
    assert [r.actor for r in views] == ["admin"]


@pytest.mark.parametrize(
    ("sections", "expected"),
    [({"db": {"dsn": "postgres://u:p@h/db"}}, [("dsn", "(set, not shown)")]),
     ({"mqtt": {"url": "mqtt://u:pw@broker:1883", "password": None}},
      [("url", "mqtt://***@broker:1883"), ("password", "(not set)")]),
     ({"x": {"nested": {"api_key": "k", "port": 8}}},
      [("nested.api_key", "(set, not shown)"), ("nested.port", "8")])],
)
def test_config_rows_hide_secrets(sections: dict[str, Any], expected: list[Any]) -> None:
    assert next(iter(config_rows(sections).values())) == expected


def _tamper(deps: AppDeps, event_id: str, camera: str, minutes_ago: float,
            lasted_min: float | None) -> None:
    start = NOW - timedelta(minutes=minutes_ago)
    base = (event_id, camera, EventKind.CAMERA_TAMPER, f"{camera}-signal")
    attrs = {"tamper": "signal_loss"}
    deps.bus.publish(Event(*base, EventPhase.OPEN, start, Severity.ALERT, attrs=attrs))
    if lasted_min is not None:
        deps.bus.publish(Event(*base, EventPhase.CLOSE, start, Severity.ALERT,
                               ended_at=start + timedelta(minutes=lasted_min), attrs=attrs))


def test_outage_history_from_camera_health_events(deps: AppDeps) -> None:
    _tamper(deps, "o1", "gate", 60, 12)
    _tamper(deps, "o2", "gate", 30, None)
    _tamper(deps, "o3", "hall", 60 * 24 * 9, 5)  # older than the history
    outages = outage_history(deps.store.events, ["gate", "hall"], now=NOW)
    assert [(o.event_id, o.ongoing) for o in outages] == [("o2", True), ("o1", False)]
    assert outages[1].duration_s == pytest.approx(720)
    assert outage_totals(outages)["gate"][0] == 2
    assert outage_history(deps.store.events, [], now=NOW) == []
    page = _client(deps, "operator").get("/cameras/health", headers=HTML).text
    assert page.count('data-testid="outage"') == 2 and "12 min" in page


def _read(final: bool, track: int, seconds_ago: float) -> PlateRead:
    return PlateRead("gate", track, 1.0, NOW.timestamp() - seconds_ago, "123ABC01", 0.9, "KZ",
                     "car", (0, 0, 10, 5), b"", final=final, decision_id=f"dec-{track}")


def test_plate_page_lists_each_pass_once(deps: AppDeps) -> None:
    reads = PlateReadRepo(deps.store.engine, deps.media)
    for read in (_read(False, 1, 60), _read(True, 1, 50),  # one pass: early + final
                 _read(False, 2, 30)):  # a pass still in view: early read only
        reads.add(read)
    client = _client(deps, "analyst")
    page = client.get("/plates", headers=HTML).text
    assert page.count('data-testid="plate-read"') == 2
    finals = [r["final"] for r in client.get("/api/plates/reads").json()["items"]]
    assert sorted(finals) == [False, True]


def test_face_sighting_crop_is_pixelated_audited_and_linked(deps: AppDeps) -> None:
    crop = make_jpeg(120, 120, text="face")
    probe = FaceProbe("gate", 7, 1.0, NOW.timestamp(), np.zeros(128, np.float32), 0.9,
                      (0, 0, 50, 50), crop)
    row = deps.identity.sightings.add(probe, retain_days=3)
    deps.bus.publish(Event("ev-7", "gate", EventKind.LOITERING, "gate-loiter", EventPhase.OPEN,
                           NOW - timedelta(seconds=20), Severity.ALERT, track_ids=(7,)))
    found = sighting_json(deps, row, 0.31)
    assert found["event_url"] == "/events/ev-7" and found["seen_at"].endswith("+00:00")
    client = _client(deps, "analyst")
    answer = client.get(found["crop_url"])
    assert answer.status_code == 200 and answer.headers["X-Kuzet-Redacted"] == "1"
    assert answer.content[:2] == b"\xff\xd8" and answer.content != crop
    views = deps.audit.list(AuditQuery(action="evidence.view")).items
    assert views[0].target == f"face_sighting:{row.id}" and views[0].details["redacted"]
    assert client.get("/api/faces/sightings/nope/crop.jpg").status_code == 404
    assert _client(deps, "operator").get(found["crop_url"]).status_code == 403
