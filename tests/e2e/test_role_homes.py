"""Each role's home, navigation and page layout in a real Chromium at three sizes.

Every role signs in and lands on its home with only its navigation; at 390 px no
page the role can reach is wider than the screen and "Sign out" is on screen; error
pages render in the console's style for browsers while the API keeps JSON.
Screenshots of each home at each size go to ``$KUZET_SCREENSHOTS/homes``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_console import PASSWORD, SCREENSHOTS, WAIT_MS, sign_in

from kuzet.api import AppDeps, create_app
from kuzet.api.navigation import entries_for
from kuzet.api.testing import FakeLiveView, serve_in_thread
from kuzet.core.roles import Role
from kuzet.core.sightings import PlateRead
from kuzet.core.types import CameraHealth, CameraState, Event, EventKind, EventPhase, Severity
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.identity.plate_reads import PlateReadRepo
from kuzet.response.sink import AlarmSink
from kuzet.store import MediaStore, open_store

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1600, 900), "tablet": (1024, 768), "phone": (390, 844)}
# role -> (user, home path, navigation links shown); written out, not derived, so a
# change to the navigation table that shows a role something new fails here.
ROLES = {
    Role.OPERATOR: ("olga", "/queue",
                    {"nav-field", "nav-queue", "nav-cameras", "nav-map", "nav-camera-health",
                     "nav-handover"}),
    Role.SUPERVISOR: ("sue", "/queue",
                      {"nav-field", "nav-queue", "nav-cameras", "nav-map", "nav-camera-health",
                       "nav-matches",
                       "nav-search", "nav-history", "nav-plates", "nav-face-search",
                       "nav-analytics", "nav-handover", "nav-watchlists"}),
    Role.ANALYST: ("ana", "/search",
                   {"nav-map", "nav-search", "nav-history", "nav-plates", "nav-face-search",
                    "nav-analytics", "nav-handover"}),
    Role.AUDITOR: ("aud", "/audit", {"nav-audit"}),
    Role.ADMIN: ("adam", "/admin",
                 {"nav-admin", "nav-cameras", "nav-map", "nav-camera-health", "nav-analytics",
                  "nav-watchlists", "nav-hotlists"}),
    Role.FIELD_OFFICER: ("fred", "/field",  # the field app has its own header, no links
                         set()),
}  # fmt: skip
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
SHOTS = SCREENSHOTS / "homes"


def _seed(deps: AppDeps) -> None:
    """An alert on gate, a finished and an ongoing outage, a plate read early and final."""
    now = datetime.now(UTC)
    ev = Event("ev-1", "gate", EventKind.LOITERING, "gate-loiter", EventPhase.OPEN,
               now - timedelta(minutes=5), Severity.ALERT, track_ids=(3,))
    deps.bus.publish(ev)
    lost = Event("out-1", "hall", EventKind.CAMERA_TAMPER, "hall-signal", EventPhase.OPEN,
                 now - timedelta(hours=3), Severity.ALERT, attrs={"tamper": "signal_loss"})
    deps.bus.publish(lost)
    deps.bus.publish(Event("out-1", "hall", EventKind.CAMERA_TAMPER, "hall-signal",
                           EventPhase.CLOSE, lost.started_at, Severity.ALERT,
                           ended_at=lost.started_at + timedelta(minutes=12),
                           attrs={"tamper": "signal_loss"}))
    deps.bus.publish(Event("out-2", "yard", EventKind.CAMERA_TAMPER, "yard-signal",
                           EventPhase.OPEN, now - timedelta(minutes=20), Severity.ALERT,
                           attrs={"tamper": "signal_loss"}))
    reads = PlateReadRepo(deps.store.engine, deps.media)
    for final, wall in ((False, now.timestamp() - 60), (True, now.timestamp() - 50)):
        reads.add(PlateRead("gate", 9, 1.0, wall, "123ABC01", 0.9, "KZ", "car",
                            (0, 0, 10, 5), b"", final=final, decision_id="dec-9"))


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, AppDeps]]:
    """The app on a real port, one user per role, three cameras (yard offline)."""
    tmp = tmp_path_factory.mktemp("homes")
    store = open_store(None, tmp)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    live = FakeLiveView.with_cameras("gate", "hall", "yard")
    live.health["yard"] = CameraHealth("yard", CameraState.OFFLINE, "connection refused", None)
    deps = AppDeps(store, MediaStore(tmp / "media"), bus, live, timezone="Asia/Almaty")
    for role, (name, _, _) in ROLES.items():
        deps.auth.users.create(name, PASSWORD, role)
    bus.subscribe(AlarmSink(deps.response))  # the alert opens an alarm in the queue
    _seed(deps)
    try:
        with serve_in_thread(create_app(deps)) as url:
            yield url, deps
    finally:
        store.close()


def _nav(page: Any) -> set[str]:
    return set(page.eval_on_selector_all(
        '[data-testid="topnav"] a', "links => links.map(a => a.dataset.testid)"))


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_lands_on_its_home_with_only_its_navigation(
    browser: Any, console: tuple[str, AppDeps], role: Role, size: str
) -> None:
    url, _ = console
    name, home, nav = ROLES[role]
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, url, name)
        page.wait_for_url(url + home)
        page.wait_for_timeout(400)  # scripts render lists and the clock
        assert _nav(page) == nav
        assert page.locator('[data-testid="user-name"]').inner_text() == name
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{role.value}-{size}.png"))
        assert page.evaluate(OVERFLOW) <= 0, f"{home} overflows at {width} px"
        logout = page.locator('[data-testid="logout"]')
        assert logout.is_visible() and logout.bounding_box()["x"] + 10 < width
        if size == "phone" and nav:  # the navigation folds into the menu
            first = page.locator('[data-testid="topnav"] a').first
            assert not first.is_visible()
            page.click('[data-testid="nav-toggle"]')
            assert first.is_visible()
        assert errors == [], errors
    finally:
        page.close()


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_overflows_a_phone(browser: Any, console: tuple[str, AppDeps],
                                   role: Role) -> None:
    url, deps = console
    name, home, _ = ROLES[role]
    user = next(u for u in deps.auth.users.list() if u.username == name).principal()
    pages = [home, *(e.path for e in entries_for(user))]
    if user.can("view_events"):
        pages.append("/events/ev-1")
    if user.can("view_live"):
        pages.append("/cameras/gate/live")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        sign_in(page, url, name)
        wide = {}
        for path in dict.fromkeys(pages):
            page.goto(url + path)
            page.wait_for_timeout(300)
            if (extra := page.evaluate(OVERFLOW)) > 0:
                wide[path] = extra
            assert page.locator('[data-testid="logout"]').is_visible(), path
        assert wide == {}, f"pages wider than 390 px (extra px): {wide}"
    finally:
        page.close()


def test_error_pages_are_styled_for_browsers_and_json_for_the_api(
    browser: Any, console: tuple[str, AppDeps]
) -> None:
    url, _ = console
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    try:
        page.goto(url + "/admin")  # signed out: a page sends you to sign in
        page.wait_for_url(f"{url}/login?next=%2Fadmin")
        sign_in(page, url, "ana")
        for path, status in (("/admin", 403), ("/no-such-page", 404)):
            answer = page.goto(url + path)
            assert answer.status == status
            box = page.locator('[data-testid="error-page"]')
            assert box.get_attribute("data-status") == str(status)
            assert page.locator('[data-testid="error-title"]').inner_text()
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(14, 18, 23)", "the console's stylesheet applies"
            assert _nav(page) == ROLES[Role.ANALYST][2], "the user's own navigation"
            page.screenshot(path=str(SHOTS / f"error-{status}.png"))
        api = page.request.get(url + "/api/no-such-thing")
        assert api.status == 404 and api.json() == {"detail": "Not Found"}
        forbidden = page.request.get(url + "/api/users")
        assert forbidden.status == 403 and "detail" in forbidden.json()
        page.click('[data-testid="error-home"]')
        page.wait_for_url(url + "/search")
    finally:
        page.close()


def test_admin_home_shows_cameras_outages_and_config_without_secrets(
    browser: Any, console: tuple[str, AppDeps]
) -> None:
    url, _ = console
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    try:
        sign_in(page, url, "adam")
        page.wait_for_url(url + "/admin")
        assert page.locator('[data-testid="admin-user"]').count() == len(ROLES)
        yard = page.locator('[data-testid="camera-status-row"][data-camera-id="yard"]')
        assert yard.get_attribute("data-state") == "offline"
        outages = page.locator('[data-testid="outage"]')
        assert outages.count() == 2
        assert page.locator('[data-testid="outage"].ongoing').get_attribute(
            "data-camera-id") == "yard"
        started = page.locator('[data-testid="outage"][data-camera-id="hall"] time').first
        assert started.get_attribute("datetime").endswith("+00:00")
        text = page.locator('[data-testid="admin-config"]').inner_text()
        assert "Asia/Almaty" in text
        assert page.locator('[data-testid="clock"]').inner_text().endswith("Asia/Almaty")
    finally:
        page.close()


def test_plate_reads_once_per_pass_and_audit_verifies(
    browser: Any, console: tuple[str, AppDeps]
) -> None:
    url, _ = console
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    try:
        sign_in(page, url, "ana", then="/plates")
        assert page.locator('[data-testid="plate-read"]').count() == 1  # early + final read
        page.close()
        page = browser.new_page(viewport={"width": 390, "height": 844})
        sign_in(page, url, "aud")
        page.wait_for_url(url + "/audit")
        page.click('[data-testid="audit-verify-run"]')
        result = page.locator('[data-testid="audit-verify-result"][data-ok="true"]')
        result.wait_for(timeout=WAIT_MS)
        assert "Chain intact" in result.inner_text()
    finally:
        page.close()


def test_hotlist_form_takes_site_time_and_supervisor_sees_panels(
    browser: Any, console: tuple[str, AppDeps]
) -> None:
    url, deps = console
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    try:
        sign_in(page, url, "adam", then="/hotlists")
        form = page.locator('[data-testid="hotlist-form"]')
        form.locator('input[name="name"]').fill("stolen cars")
        form.locator('button[type="submit"]').click()
        entry = page.locator('[data-testid="entry-form"]').first
        entry.wait_for(timeout=WAIT_MS)
        assert "Asia/Almaty" in entry.inner_text()
        for name, value in (("plate", "777AAA02"), ("reason", "stolen"),
                            ("legal_basis", "court order 5"), ("owner", "unit 7")):
            entry.locator(f'input[name="{name}"]').fill(value)
        entry.locator('[data-testid="entry-expires"]').fill("2030-01-01T10:00")
        entry.locator('button[type="submit"]').click()
        page.locator('[data-testid="hotlist-entry"]').first.wait_for(timeout=WAIT_MS)
        from kuzet.identity.hotlists import HotlistRepo

        repo = HotlistRepo(deps.store.engine)
        (stored,) = [e for h in repo.hotlists() for e in repo.entries(h.id)]
        # 10:00 in Almaty (UTC+5) is 05:00 UTC
        assert stored["expires_at"].startswith("2030-01-01T05:00")
        page.close()
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        sign_in(page, url, "sue")
        for panel in ("pending-matches", "escalations"):
            assert page.locator(f'[data-testid="{panel}"]').is_visible()
        page.locator('[data-testid="queue-row"]').first.wait_for(timeout=WAIT_MS)
    finally:
        page.close()
