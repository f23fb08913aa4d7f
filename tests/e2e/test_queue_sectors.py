"""Sectors in the console: the queue's sector filter lives in the URL, the incident page
names its sector (issue 15 gaps 1 and 2), in a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from test_console import PASSWORD, WAIT_MS, sign_in

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, serve_in_thread
from kuzet.config.response import Priority
from kuzet.config.sectors import SectorConfig, sector_of_cameras
from kuzet.core.roles import Role
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.response.actor import Actor
from kuzet.response.incidents import NewIncident
from kuzet.response.shifts import Routing
from kuzet.response.sink import AlarmSink
from kuzet.store import MediaStore, open_store

pytestmark = pytest.mark.e2e
ROWS = '[data-testid="queue-row"]'


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, AppDeps]]:
    """Sectors north (gate) and south (hall), a supervisor, one alarm per camera."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    deps = AppDeps(store, MediaStore(tmp_path / "media"), bus,
                   FakeLiveView.with_cameras("gate", "hall"))
    sectors = {"north": SectorConfig(name="Northern district", cameras=["gate"]),
               "south": SectorConfig(cameras=["hall"])}
    deps.response.routing = Routing(store.engine, sectors,
                                    sector_of_cameras(sectors, {"gate": None, "hall": None}))
    bus.subscribe(AlarmSink(deps.response))
    deps.auth.users.create("sue", PASSWORD, Role.SUPERVISOR)
    for camera in ("gate", "hall"):
        bus.publish(Event(id=f"{camera}-1", camera_id=camera, kind=EventKind.FIGHT,
                          rule_id=f"{camera}-fight", phase=EventPhase.OPEN,
                          started_at=datetime.now(UTC), severity=Severity.ALERT))
    try:
        with serve_in_thread(create_app(deps)) as url:
            yield url, deps
    finally:
        store.close()


def _shown(page: Any) -> list[str]:
    return sorted(page.locator(ROWS).evaluate_all("rs => rs.map(r => r.dataset.alarmId)"))


def test_sector_filter_is_kept_in_the_url(browser: Any, site: tuple[str, AppDeps]) -> None:
    url, _ = site
    page = browser.new_page()
    sign_in(page, url, "sue")
    page.goto(f"{url}/queue")
    page.wait_for_function("document.querySelectorAll('[data-testid=queue-row]').length === 2",
                           timeout=WAIT_MS)
    page.check('[data-testid="filter-sector"] input[value="north"]')
    page.wait_for_function("document.querySelectorAll('[data-testid=queue-row]').length === 1",
                           timeout=WAIT_MS)
    assert _shown(page) == ["gate-1"]
    assert page.url.endswith("/queue?sector=north")
    page.reload()  # the choice survives a reload (and a shared link)
    page.wait_for_selector(ROWS, timeout=WAIT_MS)
    assert page.is_checked('[data-testid="filter-sector"] input[value="north"]')
    assert _shown(page) == ["gate-1"]
    page.check('[data-testid="filter-sector"] input[value="south"]')
    page.wait_for_function("document.querySelectorAll('[data-testid=queue-row]').length === 2",
                           timeout=WAIT_MS)
    assert page.url.endswith("/queue?sector=north&sector=south")
    page.close()


def test_incident_page_shows_its_sector(browser: Any, site: tuple[str, AppDeps]) -> None:
    url, deps = site
    made = deps.response.desk.create(NewIncident("fight", Priority.HIGH), Actor.system(),
                                     ["gate-1"])
    page = browser.new_page()
    sign_in(page, url, "sue")
    page.goto(f"{url}/incidents/{made.id}")
    sector = page.wait_for_selector('[data-testid="incident-sector"]', timeout=WAIT_MS)
    assert "sector Northern district (north)" in sector.inner_text()
    page.close()
