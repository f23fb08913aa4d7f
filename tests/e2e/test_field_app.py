"""The field app in Chromium on a phone: an officer on duty in unit P-12 sees the incident
an operator dispatched to the unit, accepts it, goes en route, attaches a photo from the
"camera", shares a position and resolves it; no horizontal overflow at 390 px or on a
tablet, touch targets of at least 44 px, the service worker installs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, make_jpeg, serve_in_thread
from kuzet.config.response import Priority
from kuzet.core.roles import Role
from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.response.actor import Actor
from kuzet.response.incidents import NewIncident
from kuzet.response.planning import ActionRequest
from kuzet.response.sink import AlarmSink
from kuzet.response.states import Action
from kuzet.store import MediaStore, open_store

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("KUZET_SCREENSHOTS", "/tmp/kuzet-screenshots"))
WAIT_MS = 15_000
PASSWORD = "e2e-field-password"
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
TOUCH_PX = 44
OVERFLOW_JS = "document.documentElement.scrollWidth - window.innerWidth"
# A checkbox's target is its label (tapping the text toggles it too).
SMALL_TARGETS_JS = f"""() => [...document.querySelectorAll(
    'button:not([hidden]), .btn, .file-btn, select, input:not([type=file]):not([type=hidden])')]
  .filter((e) => e.offsetParent !== null)
  .map((e) => [e.dataset.testid || e.textContent.trim(),
               (e.type === "checkbox" && e.closest("label") || e).getBoundingClientRect()])
  .filter(([, r]) => r.height < {TOUCH_PX} || r.width < {TOUCH_PX})
  .map(([name, r]) => `${{name}} ${{r.width}}x${{r.height}}`)"""


@pytest.fixture
def field(tmp_path: Path) -> Iterator[tuple[str, AppDeps]]:
    """The app on a real port: operator ana, field officer dan; alarm sink on the bus."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    deps = AppDeps(store, MediaStore(tmp_path / "media"), bus,
                   FakeLiveView.with_cameras("gate", "hall"))
    bus.subscribe(AlarmSink(deps.response))
    users = {name: deps.auth.users.create(name, PASSWORD, role)
             for name, role in (("ana", Role.OPERATOR), ("dan", Role.FIELD_OFFICER))}
    deps.response.routing.sectors = {}
    try:
        with serve_in_thread(create_app(deps)) as url:
            yield url, deps
    finally:
        store.close()
    assert users


def _dispatch(deps: AppDeps, event_id: str, unit: str) -> str:
    """An alert on ``gate`` with a snapshot; ana takes it into an incident and sends ``unit``."""
    started = datetime.now(UTC)
    key = f"snapshots/gate/{started:%Y/%m/%d}/{event_id}.jpg"
    digest = deps.media.put(key, make_jpeg(640, 360, text="gate"))
    deps.bus.publish(Event(
        id=event_id, camera_id="gate", kind=EventKind.FIGHT, rule_id="gate-fight",
        phase=EventPhase.OPEN, started_at=started, severity=Severity.ALERT, labels=("person",),
        evidence=Evidence(snapshot_key=key, snapshot_sha256=digest)))
    ana_row = deps.auth.users.by_username("ana")
    ana = Actor("ana", ana_row.id)
    service = deps.response
    service.act(event_id, ActionRequest(Action.ACKNOWLEDGE), ana)
    incident = service.desk.create(
        NewIncident("fight", Priority.HIGH, "Two men fighting at the gate", "Main gate, north",
                    43.23812, 76.94571), ana, [event_id])
    service.act(event_id, ActionRequest(Action.DISPATCH, unit=unit), ana)
    return incident.id


def _no_overflow(page: Any, where: str) -> None:
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow <= 0, f"{where}: the page is {overflow} px wider than the screen"
    small = page.evaluate(SMALL_TARGETS_JS)
    assert small == [], f"{where}: touch targets under {TOUCH_PX} px: {small}"


def _sign_in(page: Any, url: str) -> None:
    page.goto(url + "/field")
    page.wait_for_url(f"{url}/login?next=%2Ffield")
    page.fill('[data-testid="login-username"]', "dan")
    page.fill('[data-testid="login-password"]', PASSWORD)
    page.click('[data-testid="login-submit"]')
    page.wait_for_url(f"{url}/field")


def test_officer_accepts_photographs_and_resolves(browser: Any,
                                                  field: tuple[str, AppDeps]) -> None:
    url, deps = field
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, permissions=["geolocation"],
                                  geolocation={"latitude": 43.2381, "longitude": 76.9457,
                                               "accuracy": 12})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(page, url)
    page.wait_for_selector('[data-testid="stream-status"][data-state="connected"]', timeout=WAIT_MS)
    page.fill('[data-testid="duty-unit"]', "P-12")
    page.click('[data-testid="duty-start"]')
    page.wait_for_selector('[data-testid="duty-unit-name"]:has-text("P-12")', timeout=WAIT_MS)
    _no_overflow(page, "phone, on duty, no assignment")

    incident_id = _dispatch(deps, "ev-field-1", "P-12")  # arrives live, over SSE
    card = page.locator(f'[data-testid="assignment"][data-key="{incident_id}"]')
    card.wait_for(timeout=WAIT_MS)
    assert "Main gate, north" in card.inner_text()
    page.wait_for_function(
        "document.querySelector('[data-testid=\"assignment-snapshot\"]').naturalWidth > 0",
        timeout=WAIT_MS)
    _no_overflow(page, "phone, one assignment")
    page.screenshot(path=str(SCREENSHOTS / "field-phone.png"), full_page=True)

    card.locator('[data-testid="act-accept"]').click()
    page.wait_for_selector('[data-testid="assignment"][data-progress="accept"]', timeout=WAIT_MS)
    card.locator('[data-testid="act-en_route"]').click()
    page.wait_for_selector('[data-testid="assignment"][data-progress="en_route"]', timeout=WAIT_MS)

    card.locator('[data-testid="photo-input"]').set_input_files(
        {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": make_jpeg(1280, 960, "scene")})
    page.wait_for_selector('[data-testid="assignment-photo"]', timeout=WAIT_MS)
    page.wait_for_function(  # served blurred (real redactor), like snapshots
        "document.querySelector('[data-testid=\"assignment-photo\"]').naturalWidth > 0",
        timeout=WAIT_MS)

    page.check('[data-testid="share-position"]')
    page.wait_for_selector('[data-testid="position-status"]:has-text("12 m")', timeout=WAIT_MS)
    positions = deps.field.last_positions()
    assert [(p.unit, p.username, round(p.lat, 4)) for p in positions] == [("P-12", "dan", 43.2381)]

    card.locator('[data-testid="act-on_scene"]').click()
    page.wait_for_selector('[data-testid="assignment"][data-progress="on_scene"]', timeout=WAIT_MS)
    card.locator('[data-testid="act-resolve"]').click()
    page.select_option('[data-testid="resolve-verdict"]', "confirmed")
    page.fill('[data-testid="resolve-note"]', "Separated, both sent home")
    _no_overflow(page, "phone, resolve form open")
    page.click('[data-testid="resolve-submit"]')
    page.wait_for_selector('[data-testid="assignment"][data-progress="resolved"]', timeout=WAIT_MS)
    alarm = deps.response.alarms.get("ev-field-1")
    assert (alarm.state, alarm.verdict, alarm.unit) == ("resolved", "confirmed", "P-12")
    actions = [h.action for h in deps.response.alarms.history(["ev-field-1"])]
    assert actions[-4:] == ["accept", "en_route", "on_scene", "resolve"]

    assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)").endswith("/field")
    page.set_viewport_size(TABLET)
    _no_overflow(page, "tablet")
    page.screenshot(path=str(SCREENSHOTS / "field-tablet.png"), full_page=True)

    page.goto(f"{url}/incidents/{incident_id}")  # the photo is on the incident page
    page.wait_for_selector('[data-testid="incident-photo"]', timeout=WAIT_MS)
    context.close()
    assert errors == []
