"""Health, cameras, headers, docs and console pages."""

from __future__ import annotations

from api_factories import make_event
from fastapi.testclient import TestClient

from kuzet.api import AppDeps
from kuzet.core.types import CameraHealth, CameraState


def test_healthz(client: TestClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}
    assert resp.headers["x-frame-options"] == "DENY"


def test_cameras_with_health(client: TestClient, deps: AppDeps) -> None:
    deps.live.health["hall"] = CameraHealth(  # type: ignore[attr-defined]
        "hall", CameraState.OFFLINE, "connection refused", None, reconnects=3
    )
    items = client.get("/api/cameras").json()["items"]
    assert [c["id"] for c in items] == ["gate", "hall"]
    gate, hall = items
    assert gate["name"] == "Gate" and gate["health"]["state"] == "online"
    assert 0 <= gate["health"]["last_frame_age_s"] < 60
    assert gate["live_url"] == "/api/cameras/gate/live.mjpg"
    assert hall["health"] == hall["health"] | {
        "state": "offline", "reason": "connection refused", "last_frame_age_s": None
    }


def test_unknown_camera_live_is_404(client: TestClient) -> None:
    assert client.get("/api/cameras/nope/live.mjpg").status_code == 404


def test_openapi_docs(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    # Swagger UI comes from this server, not a CDN (offline sites).
    assert "cdn." not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/apidocs/{asset}" in page.text
        served = client.get(f"/static/apidocs/{asset}")
        assert served.status_code == 200 and len(served.content) > 100_000
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/events", "/api/events/stream", "/api/cameras/{camera_id}/live.mjpg"} <= set(paths)
    params = {p["name"]: p for p in paths["/api/events"]["get"]["parameters"]}
    assert params["camera"]["schema"]["type"] == "array"


def test_console_page(client: TestClient) -> None:
    resp = client.get("/cameras")
    assert resp.status_code == 200 and "text/html" in resp.headers["content-type"]
    html = resp.text
    assert html.count('data-testid="camera-tile"') == 2
    assert 'data-testid="alert-list"' in html and "/static/console.js" in html
    assert client.get("/static/console.js").status_code == 200
    assert client.get("/static/console.css").status_code == 200


def test_event_page_and_404(client: TestClient, deps: AppDeps) -> None:
    deps.bus.publish(make_event(attrs={"zone": "entrance"}, labels=("person", "backpack")))
    html = client.get("/events/ev-1").text
    assert 'data-testid="event-detail"' in html and "gate-zone" in html
    assert "backpack" in html and "entrance" in html
    assert 'data-testid="event-no-snapshot"' in html
    missing = client.get("/events/nope")
    assert missing.status_code == 404 and 'data-testid="not-found"' in missing.text
