"""The map page in a real Chromium: the demo's site plan (drawn by the same code as
`kuzet demo`, stored through the upload checks) with its two cameras placed, open alarms
from real events (store sink -> alarm sink), live updates over SSE, clicks through to
the incident and the live view, an admin placing and dragging a camera, and the
geographic view's empty state and GeoJSON base map.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from test_console import PASSWORD, SCREENSHOTS, WAIT_MS, sign_in

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, serve_in_thread
from kuzet.config.map import MapConfig
from kuzet.config.response import Priority, ResponseConfig
from kuzet.config.sectors import SectorConfig
from kuzet.core.types import CameraHealth, CameraState, Event, EventKind, EventPhase, Severity
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.maps.demo import ensure_demo_plan
from kuzet.maps.geodata import MapData
from kuzet.maps.plans import GeoPlacement
from kuzet.privacy.principal import Role
from kuzet.response.actor import Actor
from kuzet.response.incidents import NewIncident
from kuzet.response.sink import AlarmSink
from kuzet.store import MediaStore, open_store

pytestmark = pytest.mark.e2e

CAMERAS = ("plaza_1", "plaza_2")
ALARM = '[data-testid="map-alarm"]'
CAMERA = '[data-testid="map-camera"]'
STREETS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "Abay Ave"},
     "geometry": {"type": "LineString", "coordinates": [[76.90, 43.235], [76.96, 43.24]]}}]}


def _event(event_id: str, camera_id: str) -> Event:
    return Event(event_id, camera_id, EventKind.ZONE_PRESENCE, "people_in_centre",
                 EventPhase.OPEN, datetime.now(UTC), Severity.ALERT)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, AppDeps, str]]:
    """(base URL, deps, incident id): the demo plan, plaza_2 offline, one open alarm on
    plaza_1 in an incident; an operator and an admin."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    live = FakeLiveView.with_cameras(*CAMERAS)
    live.health["plaza_2"] = CameraHealth("plaza_2", CameraState.OFFLINE, "no frames")
    deps = AppDeps(store, MediaStore(tmp_path / "media"), bus, live, sse_heartbeat_s=0.5)
    bus.subscribe(AlarmSink(deps.response))
    ensure_demo_plan(deps.maps, list(CAMERAS))
    bus.publish(_event("ev-1", "plaza_1"))
    incident = deps.response.desk.create(NewIncident("crowd", Priority.HIGH), Actor.system(),
                                         ["ev-1"])
    deps.auth.users.create("olga", PASSWORD, Role.OPERATOR)
    deps.auth.users.create("admin", PASSWORD, Role.ADMIN)
    with serve_in_thread(create_app(deps)) as url:
        yield url, deps, incident.id
    store.close()


def _open_map(browser: Any, url: str, user: str, size: tuple[int, int] = (1400, 900)) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    sign_in(page, url, user)
    page.goto(url + "/map")
    page.wait_for_selector(CAMERA, timeout=WAIT_MS)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.leaflet-image-layer')]"
        ".some(i => i.complete && i.naturalWidth === 1200)", timeout=WAIT_MS)
    return page


def test_plan_shows_cameras_and_the_open_alarm_which_opens_its_incident(
    browser: Any, site: tuple[str, AppDeps, str]
) -> None:
    url, _, incident_id = site
    page = _open_map(browser, url, "olga")
    try:
        assert page.locator('[data-testid="map-title"]').text_content() == "Demo plaza · demo"
        states = {page.locator(CAMERA).nth(i).get_attribute("data-camera-id"):
                  page.locator(CAMERA).nth(i).get_attribute("data-state") for i in range(2)}
        assert states == {"plaza_1": "online", "plaza_2": "offline"}
        page.wait_for_selector(ALARM, timeout=WAIT_MS)
        alarm = page.locator(ALARM)
        assert alarm.count() == 1 and alarm.get_attribute("data-priority") == "medium"
        # The badge sits beside plaza_1's marker (within 45 px), not plaza_2's.
        box_alarm = alarm.bounding_box()
        box_cam = page.locator(f'{CAMERA}[data-camera-id="plaza_1"]').bounding_box()
        assert box_alarm and box_cam
        assert abs(box_alarm["x"] - box_cam["x"]) < 45 and abs(box_alarm["y"] - box_cam["y"]) < 45
        assert page.locator(".map-cone").count() == 2
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "map-site-plan.png"))
        alarm.click()
        page.wait_for_url(f"{url}/incidents/{incident_id}", timeout=WAIT_MS)
        assert page.errors == []
    finally:
        page.close()


def test_new_alarms_arrive_live_and_a_camera_opens_its_live_view(
    browser: Any, site: tuple[str, AppDeps, str]
) -> None:
    url, deps, _ = site
    page = _open_map(browser, url, "olga")
    try:
        page.wait_for_selector('[data-testid="stream-status"][data-state="connected"]',
                               timeout=WAIT_MS)
        deps.bus.publish(_event("ev-2", "plaza_2"))
        page.wait_for_function(f"() => document.querySelectorAll('{ALARM}').length === 2",
                               timeout=WAIT_MS)
        second = page.locator(f'{ALARM}[data-alarm-id="ev-2"]')
        assert second.get_attribute("href") == "/events/ev-2"  # in no incident: its event
        page.locator(f'{CAMERA}[data-camera-id="plaza_1"]').click()
        page.wait_for_url(f"{url}/cameras/plaza_1/live", timeout=WAIT_MS)
        assert page.errors == []
    finally:
        page.close()


def test_admin_places_and_drags_a_camera(browser: Any, site: tuple[str, AppDeps, str]) -> None:
    url, deps, _ = site
    plan_id = deps.maps.list_plans()[0].id
    page = _open_map(browser, url, "admin")
    try:
        page.check('[data-testid="edit-toggle"]')
        page.select_option('[data-testid="placement-camera"]', "plaza_2")
        canvas = page.locator('[data-testid="map-canvas"]').bounding_box()
        assert canvas
        page.mouse.click(canvas["x"] + canvas["width"] * 0.5, canvas["y"] + canvas["height"] * 0.5)
        page.wait_for_selector('[data-testid="page-message"][data-kind="ok"]', timeout=WAIT_MS)
        placed = {p.camera_id: p for p in deps.maps.placements()[plan_id]}
        assert abs(placed["plaza_2"].x - 0.5) < 0.05 and abs(placed["plaza_2"].y - 0.5) < 0.05
        marker = page.locator(f'{CAMERA}[data-camera-id="plaza_1"]').bounding_box()
        assert marker
        start = (marker["x"] + 10, marker["y"] + 10)
        page.mouse.move(*start)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(start[0] + 10 * step, start[1] - 5 * step)
        page.mouse.up()
        page.wait_for_function(
            f"() => fetch('/api/map/plans/{plan_id}').then(r => r.json()).then(p => "
            "p.cameras.find(c => c.camera_id === 'plaza_1').x > 0.2)", timeout=WAIT_MS)
        assert page.errors == []
    finally:
        page.close()


def test_admin_uploads_a_plan_through_the_form(
    browser: Any, site: tuple[str, AppDeps, str], tmp_path: Path
) -> None:
    url, deps, _ = site
    not_image = tmp_path / "notes.png"
    not_image.write_text("meeting notes, not a floor plan")
    ok, png = cv2.imencode(".png", np.full((300, 500, 3), 230, np.uint8))
    assert ok
    (tmp_path / "floor2.png").write_bytes(png.tobytes())
    page = _open_map(browser, url, "admin")
    try:
        page.fill('[data-testid="plan-name"]', "Floor 2")
        page.set_input_files('[data-testid="plan-file"]', str(not_image))
        page.click('[data-testid="plan-submit"]')
        refused = page.locator('[data-testid="page-message"][data-kind="error"]')
        refused.wait_for(timeout=WAIT_MS)
        assert "image: not a usable image" in refused.inner_text()
        assert len(deps.maps.list_plans()) == 1
        page.set_input_files('[data-testid="plan-file"]', str(tmp_path / "floor2.png"))
        page.click('[data-testid="plan-submit"]')
        page.wait_for_function("() => document.querySelector('[data-testid=\"map-title\"]')"
                               ".textContent === 'Floor 2'", timeout=WAIT_MS)
        assert sorted(p.name for p in deps.maps.list_plans()) == ["Demo plaza", "Floor 2"]
        assert page.locator('[data-testid="map-view"]').count() == 3
        assert page.errors == []
    finally:
        page.close()


def test_geo_view_empty_state_then_the_deployments_map(
    browser: Any, site: tuple[str, AppDeps, str], tmp_path: Path
) -> None:
    url, deps, incident_id = site
    page = _open_map(browser, url, "olga")
    try:
        page.click('[data-testid="map-view"][data-view="geo"]')
        empty = page.locator('[data-testid="map-empty"]')
        empty.wait_for(state="visible", timeout=WAIT_MS)
        assert "No map data is configured" in empty.inner_text()
        assert page.locator('[data-testid="layer-units"]').is_visible()  # the field app answers
        assert page.locator('[data-testid="map-unit"]').count() == 0  # nobody shared a position
        assert page.errors == []
    finally:
        page.close()
    (tmp_path / "streets.geojson").write_text(json.dumps(STREETS))
    deps.map_data = MapData(MapConfig(geojson=str(tmp_path / "streets.geojson")))
    deps.response.config = ResponseConfig(sectors={"centre": SectorConfig(
        name="Centre", cameras=list(CAMERAS),
        area=[(43.230, 76.925), (43.230, 76.945), (43.245, 76.945), (43.245, 76.925)])})
    deps.maps.place_geo(GeoPlacement("plaza_1", 43.238, 76.930, heading=90, range_m=120), "t")
    deps.response.desk.edit(incident_id, {"lat": 43.236, "lon": 76.940}, Actor.system())
    page = _open_map(browser, url, "olga")
    try:
        page.click('[data-testid="map-view"][data-view="geo"]')
        page.wait_for_selector("path.map-base", timeout=WAIT_MS)
        assert page.locator('[data-testid="map-empty"]').is_hidden()
        assert page.locator("path.map-sector").count() == 1
        assert page.locator(CAMERA).count() == 1  # plaza_2 is not placed on the earth
        assert page.locator(ALARM).count() == 1  # beside plaza_1
        page.locator('[data-testid="map-incident"]').wait_for(timeout=WAIT_MS)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "map-geo.png"))
        page.locator('[data-testid="map-incident"]').click()
        page.wait_for_url(f"{url}/incidents/{incident_id}", timeout=WAIT_MS)
        assert page.errors == []
    finally:
        page.close()


def test_field_units_last_positions_are_drawn(
    browser: Any, site: tuple[str, AppDeps, str]
) -> None:
    """A field officer on duty shares a position (the field app's own store); the map
    draws the unit where it was last seen, from ``GET /api/field/positions``."""
    url, deps, _ = site
    officer = deps.auth.users.create("serik", PASSWORD, Role.FIELD_OFFICER)
    duty, _ = deps.field.start_duty(officer.id, "serik", "P-12")
    deps.field.add_position(duty, 43.24, 76.93, 15.0)
    deps.maps.place_geo(GeoPlacement("plaza_1", 43.238, 76.930), "t")
    page = _open_map(browser, url, "olga")
    try:
        page.click('[data-testid="map-view"][data-view="geo"]')
        page.wait_for_selector('[data-testid="map-unit"]', timeout=WAIT_MS)
        assert page.locator('[data-testid="layer-units"]').is_visible()
        assert page.locator('[data-testid="map-unit"]').get_attribute("title") == "P-12"
        assert page.errors == []
    finally:
        page.close()
