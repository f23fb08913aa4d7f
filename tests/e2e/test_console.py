"""The operations console in a real browser: live alerts arrive and open their evidence."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, make_jpeg, serve_in_thread
from kuzet.core.roles import Role
from kuzet.core.types import (
    CameraHealth,
    CameraState,
    Event,
    EventKind,
    EventPhase,
    Evidence,
    Severity,
)
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.store import MediaStore, open_store

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("KUZET_SCREENSHOTS", "/tmp/kuzet-screenshots"))
WAIT_MS = 10_000
PASSWORD = "e2e-console-password"


def sign_in(page: Any, url: str, username: str = "admin", password: str = PASSWORD,
            then: str | None = None) -> None:
    """Open the console signed out (-> /login), sign in through the form, land on the
    role's home (``/`` redirects there), then open ``then`` if given."""
    page.goto(url + "/")
    page.wait_for_url(f"{url}/login?next=%2F")
    page.fill('[data-testid="login-username"]', username)
    page.fill('[data-testid="login-password"]', password)
    page.click('[data-testid="login-submit"]')
    page.wait_for_url(lambda u: "/login" not in u and u.rstrip("/") != url)
    if then is not None:
        page.goto(url + then)



@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[str, AppDeps]]:
    """The app on a real port: real store and media, fake cameras (one offline)."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    live = FakeLiveView.with_cameras("gate", "hall", "yard")
    live.health["yard"] = CameraHealth("yard", CameraState.OFFLINE, "connection refused", None)
    deps = AppDeps(store, MediaStore(tmp_path / "media"), bus, live)
    deps.auth.users.create("admin", PASSWORD, Role.ADMIN)
    try:
        with serve_in_thread(create_app(deps)) as url:
            yield url, deps
    finally:
        store.close()


def _publish_alert(deps: AppDeps, event_id: str) -> Event:
    started = datetime.now(UTC)
    key = f"snapshots/gate/{started:%Y/%m/%d}/{event_id}.jpg"
    digest = deps.media.put(key, make_jpeg(640, 360, text="snapshot"))
    event = Event(
        id=event_id,
        camera_id="gate",
        kind=EventKind.LOITERING,
        rule_id="gate-loiter",
        phase=EventPhase.OPEN,
        started_at=started,
        severity=Severity.ALERT,
        track_ids=(12,),
        labels=("person",),
        attrs={"zone": "entrance", "dwell_s": 31.5},
        evidence=Evidence(snapshot_key=key, snapshot_sha256=digest),
    )
    deps.bus.publish(event)
    return event


def test_live_alert_and_event_detail(browser: Any, console: tuple[str, AppDeps]) -> None:
    url, deps = console
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, url, then="/cameras")
    assert page.locator('[data-testid="user-name"]').inner_text() == "admin"
    assert page.locator('[data-testid="user-role"]').inner_text() == "admin"
    page.wait_for_selector('[data-testid="stream-status"][data-state="connected"]', timeout=WAIT_MS)
    tiles = page.locator('[data-testid="camera-tile"]')
    assert tiles.count() == 3
    page.wait_for_selector(
        '[data-camera-id="yard"] [data-testid="camera-health"][data-state="offline"]'
    )
    reason = page.locator('[data-camera-id="yard"] [data-testid="camera-health-reason"]')
    assert reason.inner_text() == "connection refused"
    page.wait_for_function(
        'document.querySelector(\'[data-camera-id="gate"] [data-testid="camera-live"]\')'
        ".naturalWidth > 0",
        timeout=WAIT_MS,
    )

    _publish_alert(deps, "e2e-1")
    item = page.locator('[data-testid="alert-item"][data-event-id="e2e-1"]')
    item.wait_for(timeout=WAIT_MS)
    assert "loitering" in item.inner_text().lower()
    first = page.locator('[data-testid="alert-item"]').first
    assert first.get_attribute("data-event-id") == "e2e-1"
    page.screenshot(path=str(SCREENSHOTS / "console.png"))

    item.locator("a").click()
    page.wait_for_url(f"{url}/events/e2e-1")
    snapshot = page.locator('[data-testid="event-snapshot"]')
    snapshot.wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "document.querySelector('[data-testid=\"event-snapshot\"]').complete", timeout=WAIT_MS
    )
    assert snapshot.evaluate("img => img.naturalWidth") == 640
    assert page.locator('[data-testid="event-rule"]').inner_text() == "gate-loiter"
    assert "entrance" in page.locator('[data-testid="event-attrs"]').inner_text()
    page.screenshot(path=str(SCREENSHOTS / "event.png"))

    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto(url + "/cameras")
    page.locator('[data-testid="alert-item"][data-event-id="e2e-1"]').wait_for(timeout=WAIT_MS)
    page.screenshot(path=str(SCREENSHOTS / "console-tablet.png"))
    page.click('[data-testid="logout"]')
    page.wait_for_url(f"{url}/login")
    page.goto(url + "/events/e2e-1")
    page.wait_for_url(f"{url}/login?next=%2Fevents%2Fe2e-1")
    page.close()
    assert errors == []


def test_api_docs_render_offline(browser: Any, console: tuple[str, AppDeps]) -> None:
    """Swagger UI renders from this server's own files; any request elsewhere fails."""
    url, _ = console
    page = browser.new_page()
    foreign: list[str] = []
    page.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(url)
                                      else (foreign.append(route.request.url), route.abort())))
    sign_in(page, url)
    page.goto(url + "/docs")
    # every request goes through the Python route handler: slow on a loaded machine (7-8 s)
    page.wait_for_selector(".opblock", timeout=WAIT_MS * 3)
    assert page.locator(".opblock").count() > 20, "the API's operations are listed"
    assert page.get_by_text("/api/events", exact=True).count() > 0
    assert foreign == []
    page.close()
