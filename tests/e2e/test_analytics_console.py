"""Rule analytics and the shift handover in a real browser: plots drawn from real verdicts,
and a false alarm resolved through the API lowers the rule's precision on the page."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_console import PASSWORD, SCREENSHOTS, WAIT_MS, sign_in

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, serve_in_thread
from kuzet.core.roles import Role
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.response.service import ResponseService
from kuzet.response.sink import AlarmSink
from kuzet.store import MediaStore, open_store

pytestmark = pytest.mark.e2e

# Non-transparent pixels of a canvas: a drawn chart has thousands, an empty one none.
INKED = """(sel) => {
  const c = document.querySelector(sel);
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
}"""
PRECISION = '[data-testid="rules-table"] tr[data-key="gate-zone"] [data-testid="precision"]'


class MovableClock:
    """The wall clock, minus ``back`` (to open alarms in earlier weeks)."""

    def __init__(self) -> None:
        self.back = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) - self.back


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, AppDeps, MovableClock, dict[str, str]]]:
    """The app on a real port, alarms on, a supervisor and an operator (bearer token)."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    deps = AppDeps(store, MediaStore(tmp_path / "media"), bus,
                   FakeLiveView.with_cameras("gate", "hall"), timezone="Asia/Almaty")
    clock = MovableClock()
    deps.response = ResponseService(store.engine, deps.audit, clock=clock)
    bus.subscribe(AlarmSink(deps.response))
    deps.auth.users.create("sue", PASSWORD, Role.SUPERVISOR)
    ana = deps.auth.users.create("ana", PASSWORD, Role.OPERATOR)
    secret, _ = deps.auth.tokens.create(ana.id, "e2e", ana.principal().permissions, None)
    try:
        with serve_in_thread(create_app(deps)) as url:
            yield url, deps, clock, {"Authorization": f"Bearer {secret}"}
    finally:
        store.close()


def _handle(url: str, deps: AppDeps, token: dict[str, str], n: int, verdict: str,
            camera: str = "gate") -> None:
    """An alert on ``camera``; ana acknowledges and resolves it through the API."""
    event_id = f"{camera}-{n}"
    deps.bus.publish(Event(
        id=event_id, camera_id=camera, kind=EventKind.ZONE_PRESENCE, rule_id=f"{camera}-zone",
        phase=EventPhase.OPEN, started_at=datetime.now(UTC), severity=Severity.ALERT,
    ))  # fmt: skip
    with httpx.Client(base_url=url, headers=token, timeout=10) as client:
        assert client.post(f"/api/alarms/{event_id}/acknowledge").status_code == 200
        done = client.post(f"/api/alarms/{event_id}/resolve", json={"verdict": verdict})
        assert done.status_code == 200, done.text


def _shown_precision(page: Any) -> float:
    page.wait_for_selector(PRECISION, timeout=WAIT_MS)
    return float(page.locator(PRECISION).get_attribute("data-value"))


def test_plots_render_and_a_false_alarm_lowers_precision(
    browser: Any, site: tuple[str, AppDeps, MovableClock, dict[str, str]]
) -> None:
    url, deps, clock, token = site
    ids = itertools.count(100)
    for weeks_back, verdicts in ((2, ["confirmed", "false_alarm"]), (1, ["confirmed"]),
                                 (0, ["confirmed", "confirmed"])):
        clock.back = timedelta(weeks=weeks_back)
        for verdict in verdicts:
            _handle(url, deps, token, next(ids), verdict)
    clock.back = timedelta(0)
    _handle(url, deps, token, 1, "false_alarm", camera="hall")
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, url, "sue")
    page.click('[data-testid="nav-analytics"]')
    page.wait_for_url(f"{url}/analytics")
    page.wait_for_selector("body[data-analytics-ready]", timeout=WAIT_MS)
    assert page.locator('[data-testid="analytics-zone"]').inner_text() == "Asia/Almaty (UTC+05:00)"
    for chart in ("chart-rules", "chart-weeks", "chart-verdicts", "chart-times"):
        assert page.evaluate(INKED, f'[data-testid="{chart}"]') > 2000, chart
    weekly = page.evaluate("window.kuzetAnalytics.charts['chart-weeks'].data.datasets[0].data")
    assert len([v for v in weekly if v is not None]) >= 3  # three weeks with verdicts
    assert _shown_precision(page) == pytest.approx(4 / 5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "analytics.png"), full_page=True)

    _handle(url, deps, token, 99, "false_alarm")  # through the API, as an operator would
    ready = page.locator("body").get_attribute("data-analytics-ready")
    page.click('[data-testid="analytics-form"] button[type="submit"]')
    page.wait_for_function(f"document.body.dataset.analyticsReady !== '{ready}'",
                           timeout=WAIT_MS)
    assert _shown_precision(page) == pytest.approx(4 / 6)
    bars = page.evaluate("window.kuzetAnalytics.charts['chart-rules'].data.datasets[0].data")
    labels = page.evaluate("window.kuzetAnalytics.charts['chart-rules'].data.labels")
    assert dict(zip(labels, bars, strict=True))["gate-zone"] == pytest.approx(66.7)
    assert errors == []


def test_handover_page_shows_the_shift_and_takes_a_note(
    browser: Any, site: tuple[str, AppDeps, MovableClock, dict[str, str]]
) -> None:
    url, deps, _clock, token = site
    _handle(url, deps, token, 1, "confirmed")
    _handle(url, deps, token, 2, "false_alarm")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, url, "ana")
    page.click('[data-testid="nav-handover"]')
    page.wait_for_url(f"{url}/reports/handover")
    assert page.locator('[data-testid="handover-alarms"]').inner_text() == "2"
    assert "Asia/Almaty (UTC+05:00)" in page.locator('[data-testid="handover-zone"]').inner_text()
    page.fill('[data-testid="handover-note-text"]', "Gate barrier stuck; patrol 7 informed")
    page.click('[data-testid="handover-note-submit"]')
    page.wait_for_selector('[data-testid="handover-note"]', timeout=WAIT_MS)
    assert "Gate barrier stuck" in page.locator('[data-testid="handover-note"]').inner_text()
    row = page.locator('[data-testid="handover-workload"] tr[data-operator="ana"]')
    assert row.locator("td").nth(1).inner_text() == "2"
    page.screenshot(path=str(SCREENSHOTS / "handover.png"), full_page=True)
