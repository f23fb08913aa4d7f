"""Every route of the app, enumerated from ``app.routes``: authentication and camera scope.

(a) Without credentials every route answers 401 (API) or redirects to ``/login``
    (console pages), except the public ones listed in PUBLIC.
(b) An operator scoped to camera A never sees camera B: B is absent from every
    response body, and B's direct URLs are 403.
New routes are walked automatically; a new path parameter needs an entry in
``_ids_for`` (the test fails loudly until it has one).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_factories import bearer, make_event, make_user, sign_in
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount, Route

from kuzet.api import AppDeps, create_app
from kuzet.api.app import API_DOCS_ASSETS
from kuzet.api.routers.console import WEB_DIR
from kuzet.api.testing import FakeLiveView, make_jpeg, serve_in_thread
from kuzet.config.procedures import Procedure
from kuzet.config.response import Priority, ResponseConfig
from kuzet.core.types import Event, EventPhase, Evidence
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.response.actor import Actor
from kuzet.response.incidents import NewIncident
from kuzet.response.sink import AlarmSink
from kuzet.response.sop import StepRequest
from kuzet.store import MediaStore, open_store

A, B = "cam-alpha", "cam-bravo"
SECRET_MARK = "bravo"  # in every id of camera B's data
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/auth/login"),
    ("GET", "/auth/oidc/login"),
    ("GET", "/auth/oidc/callback"),
    # The citizen report intake (404 unless citizen.enabled), /metrics (404 without
    # metrics.token, else its own bearer token) and published transparency reports.
    ("GET", "/report"),
    ("GET", "/report/status/{ref}"),
    ("GET", "/api/public/form"),
    ("GET", "/api/public/challenge"),
    ("POST", "/api/public/reports"),
    ("GET", "/api/public/reports/{ref}"),
    ("GET", "/metrics"),
    ("GET", "/transparency"),
    ("GET", "/transparency/{period}"),
    ("GET", "/api/public/transparency/{period}"),
}
STREAMS = {"/api/events/stream", "/api/cameras/{camera_id}/live.mjpg"}
SKIP_AS_USER = {("POST", "/auth/logout")}  # would end the walking session
TIMEOUT = httpx.Timeout(5.0)
FIGHT = Procedure.model_validate({"version": 1, "title": {"en": "Fight"}, "steps": [
    {"id": "confirm", "kind": "question", "text": {"en": "Fight?"}},
    {"id": "patrol", "text": {"en": "Send a patrol"}}]})


def _flat(app: FastAPI) -> list[BaseRoute]:
    """``app.routes`` with included routers expanded (FastAPI >= 0.16x includes lazily)."""
    try:
        from fastapi.routing import _iter_included_route_candidates
    except ImportError:  # older FastAPI: app.routes is already flat
        return list(app.routes)
    return list(_iter_included_route_candidates(app.routes))


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every HTTP route; HEAD/OPTIONS are implied."""
    found = []
    for route in _flat(app):
        if isinstance(route, Route):
            for method in sorted(route.methods or ()):
                if method not in {"HEAD", "OPTIONS"}:
                    found.append((method, route.path))
    return found


def _ids_for(param: str, camera: str) -> str:
    values = {
        "camera_id": camera,
        "event_id": f"ev-{camera.removeprefix('cam-')}",
        "token_id": "no-such-token",
        "username": "admin",
        "hotlist_id": "no-such-hotlist",
        "hotlist_entry_id": "no-such-entry",
        "plate_read_id": "no-such-read",
        "watchlist_id": "no-such-watchlist",
        "entry_id": "no-such-entry",
        "photo_id": "no-such-photo",
        "match_id": f"match-{camera.removeprefix('cam-')}",
        "alarm_id": f"ev-{camera.removeprefix('cam-')}",  # an alarm's id is its event's
        "incident_id": f"inc-{camera.removeprefix('cam-')}",
        "step_id": "confirm",  # a step of the incidents' procedure (see the fixture)
        "notice_id": "1",
        "shift_id": "no-such-shift",
        "delivery_id": "no-such-delivery",
        "action": "accept",  # a field move (/api/field/alarms/{alarm_id}/{action})
        "index": "0",  # also a part of a recorded span (progressive redacted playback)
        "ref": "KZ-NOSUCH00",
        "period": "2026-11",
        "plan_id": "no-such-plan",
        "sighting_id": "no-such-sighting",
    }
    if param not in values:
        raise AssertionError(f"route parameter {{{param}}} has no test value: add it here")
    return values[param]


def _expand(path: str, camera: str) -> str:
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: _ids_for(m.group(1), camera), path)


@pytest.fixture
def two_cameras(tmp_path: Path) -> Iterator[AppDeps]:
    """Events, snapshots, alarms and incidents of cameras A and B, a fake live view, users."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    media = MediaStore(tmp_path / "media")
    deps = AppDeps(store, media, bus, FakeLiveView.with_cameras(A, B), sse_heartbeat_s=0.3)
    bus.subscribe(AlarmSink(deps.response))
    deps.response.config = ResponseConfig(procedures={"fight": FIGHT})
    for camera in (A, B):
        key = f"snapshots/{camera}/2025/03/01/ev.jpg"
        digest = media.put(key, make_jpeg(text=camera))
        evidence = Evidence(snapshot_key=key, snapshot_sha256=digest)
        bus.publish(make_event(id=f"ev-{camera[4:]}", camera_id=camera, evidence=evidence))
        incident = NewIncident("fight", Priority.HIGH, id=f"inc-{camera[4:]}")
        deps.response.desk.create(incident, Actor.system(), [f"ev-{camera[4:]}"])
    # Camera B's incident has a skipped step: a supervisor notice ana must never see.
    deps.response.sop.act("inc-bravo", "confirm", StepRequest("done", "yes"), Actor.system())
    deps.response.sop.act("inc-bravo", "patrol", StepRequest("skip", text="bravo"),
                          Actor.system())
    make_user(deps)
    make_user(deps, "ana", "operator", cameras=[A])
    yield deps
    store.close()


def test_every_route_requires_authentication(two_cameras: AppDeps) -> None:
    app = create_app(two_cameras)
    routes = _routes(app)
    assert len(routes) >= 10 and ("GET", "/api/events") in routes
    with TestClient(app, follow_redirects=False) as anon:
        for method, path in routes:
            if (method, path) in PUBLIC:
                continue
            resp = anon.request(method, _expand(path, A), json={})
            html_page = method == "GET" and not path.startswith(("/api/", "/auth/", "/openapi"))
            if html_page:
                assert resp.status_code == 303, (method, path, resp.status_code)
                assert resp.headers["location"].startswith("/login?next="), path
            else:
                assert resp.status_code == 401, (method, path, resp.status_code, resp.text)
                assert resp.headers["content-type"] == "application/json", path
            assert SECRET_MARK not in resp.text and A not in resp.text


def test_public_routes_carry_no_data(two_cameras: AppDeps) -> None:
    app = create_app(two_cameras)
    assert {r for r in _routes(app) if r in PUBLIC} == PUBLIC
    with TestClient(app, follow_redirects=False) as anon:
        assert anon.get("/healthz").json() == {"status": "ok"}
        page = anon.get("/login?next=/events/ev-alpha")
        assert page.status_code == 200 and 'data-testid="login-form"' in page.text
        assert A not in page.text and SECRET_MARK not in page.text
        assert anon.post("/auth/login", json={}).status_code == 401
        assert anon.get("/auth/oidc/login").status_code == 404  # OIDC not configured
        assert anon.get("/auth/oidc/callback").status_code == 404
        for path in ("/report", "/report/status/KZ-1", "/api/public/form",
                     "/api/public/challenge", "/api/public/reports/KZ-1", "/metrics",
                     "/transparency/2026-11", "/api/public/transparency/2026-11"):
            assert anon.get(path).status_code == 404, path  # off / nothing published
        assert anon.post("/api/public/reports", json={}).status_code == 404
        assert 'data-testid="published"' in anon.get("/transparency").text
        mounts = [r for r in _flat(app) if isinstance(r, Mount)]
        assert [m.path for m in mounts] == ["/static/apidocs", "/static"]
        # Static files are code, style, the queue's generated chime and the field app's
        # icons only (no data); the login page needs them.
        static = sorted(p.suffix for p in (WEB_DIR / "static").iterdir() if p.is_file())
        assert set(static) <= {".css", ".js", ".wav", ".png", ".svg"}
        icons = {p.name for p in (WEB_DIR / "static").iterdir() if p.suffix in {".png", ".svg"}}
        assert icons <= {"field-icon.svg", "field-icon-192.png", "field-icon-512.png"}
        # Browser libraries from the npm registry (make web): code and their licences.
        vendor = {p.suffix for p in (WEB_DIR / "static" / "vendor").glob("*")}
        assert vendor <= {".js", ".css", ".md"}
        apidocs = {p.suffix for p in API_DOCS_ASSETS.iterdir()}  # Swagger UI's own files
        assert apidocs <= {".css", ".js", ".png"}
        assert anon.get("/static/console.css").status_code == 200


def test_scoped_operator_never_sees_other_camera(two_cameras: AppDeps) -> None:
    app = create_app(two_cameras)
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "ana")
        walked = 0
        for method, path in _routes(app):
            if (method, path) in SKIP_AS_USER or path in STREAMS:
                continue
            own = client.request(method, _expand(path, A), json={})
            assert own.status_code < 500, (method, path, own.text)
            assert SECRET_MARK not in own.text.lower(), (method, path, own.text)
            if _expand(path, A) != _expand(path, B):
                other = client.request(method, _expand(path, B), json={})
                allowed = {403} if method == "GET" else {403, 422}
                assert other.status_code in allowed, (method, path, other.status_code)
            walked += 1
        assert walked >= 10
        cameras = client.get("/api/cameras").json()["items"]
        assert [c["id"] for c in cameras] == [A]
        assert [e["id"] for e in client.get("/api/events").json()["items"]] == ["ev-alpha"]
        assert client.get(f"/api/events?camera={B}").status_code == 403
        assert client.get("/api/events/ev-alpha/snapshot.jpg").content[:2] == b"\xff\xd8"
        assert client.get("/cameras").text.count('data-testid="camera-tile"') == 1
        assert [a["id"] for a in client.get("/api/alarms").json()["items"]] == ["ev-alpha"]
        assert [i["id"] for i in client.get("/api/incidents").json()["items"]] == ["inc-alpha"]
        assert client.get("/api/alarms/ev-alpha").json()["incident_id"] == "inc-alpha"
        handover = client.get("/api/reports/handover").json()  # an operator's own handover
        assert handover["alarms"] == 1 and handover["own_only"]
        assert [i["id"] for i in handover["open_incidents"]] == ["inc-alpha"]
        assert client.get("/api/analytics/precision").status_code == 403  # supervisors, analysts


def _sse_ids(lines: Iterator[str], until: str) -> list[str]:
    ids = []
    for line in lines:
        if line.startswith("data: ") and line != "data: {}":
            ids.append(json.loads(line[6:])["id"])
            if ids[-1] == until:
                return ids
    return ids


def test_scoped_streams(two_cameras: AppDeps) -> None:
    deps = two_cameras
    headers = bearer(deps, "ana")
    with serve_in_thread(create_app(deps)) as url:
        with httpx.stream("GET", f"{url}/api/events/stream", headers=headers, timeout=TIMEOUT) as r:
            lines = r.iter_lines()
            assert next(line for line in lines if line.startswith("event: ")) == "event: ready"

            def publish() -> None:
                for camera in (B, A):
                    event_id = f"live-{camera[4:]}"
                    deps.bus.publish(
                        make_event(id=event_id, camera_id=camera, phase=EventPhase.OPEN)
                    )

            threading.Thread(target=publish).start()
            assert _sse_ids(lines, "live-alpha") == ["live-alpha"]
        mjpeg = f"{url}/api/cameras/{{}}/live.mjpg"
        with httpx.stream("GET", mjpeg.format(A), headers=headers, timeout=TIMEOUT) as r:
            assert r.status_code == 200 and next(r.iter_bytes())
        other = httpx.get(mjpeg.format(B), headers=headers, timeout=TIMEOUT)
        assert other.status_code == 403 and SECRET_MARK not in other.text.replace(B, "")
        unknown = httpx.get(mjpeg.format("cam-nope"), headers=headers, timeout=TIMEOUT)
        assert unknown.status_code == 403  # scoped users cannot probe camera ids


ROLE_USERS = {"operator": "olive", "supervisor": "sam", "analyst": "al", "auditor": "aud",
              "field_officer": "fay", "admin": "admin"}
NEW_ROUTES = [  # (method, path, body, {role: status}); other roles get 403
    ("GET", "/api/sectors", None,
     {r: 200 for r in ("operator", "supervisor", "analyst", "auditor", "field_officer", "admin")}),
    ("GET", "/api/shifts", None,
     {"operator": 200, "supervisor": 200, "field_officer": 200, "admin": 200}),
    ("POST", "/api/shifts", {"username": "olive", "sectors": ["nowhere"],
                             "start": "2026-12-03T08:00", "end": "2026-12-03T20:00"},
     {"supervisor": 422, "admin": 422}),
    ("DELETE", "/api/shifts/no-such-shift", None, {"supervisor": 404, "admin": 404}),
    ("GET", "/api/webhooks", None, {"admin": 200}),
    ("GET", "/api/webhooks/deliveries?state=dead", None, {"admin": 200}),
    ("POST", "/api/webhooks/deliveries/no-such-delivery/retry", None, {"admin": 404}),
]


def test_routing_and_webhook_permissions(two_cameras: AppDeps) -> None:
    """Who may read sectors and shifts, change the rota, and see webhook deliveries
    (one table, one set of users: each user costs an argon2 hash)."""
    for role, name in ROLE_USERS.items():
        if name != "admin":
            make_user(two_cameras, name, role)
    headers = {name: bearer(two_cameras, name) for name in ROLE_USERS.values()}
    with TestClient(create_app(two_cameras)) as client:
        for method, path, body, allowed in NEW_ROUTES:
            for role, name in ROLE_USERS.items():
                answer = client.request(method, path, json=body, headers=headers[name])
                expected = allowed.get(role, 403)
                assert answer.status_code == expected, (method, path, role, answer.text)
