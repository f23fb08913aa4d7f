"""A citizen's report, end to end in real Chromium (phone-sized), into the operator's queue.

The app runs under uvicorn with a real SQLite file store and media folder; the
citizen's browser solves the proof of work with WebCrypto and uploads a real
JPEG with EXIF GPS; the operator sees the report with the cameras near the
place, acknowledges and resolves it; the citizen's status page shows the outcome
and nothing personal.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from citizen_factories import CAMERAS, citizen_deps, photo
from kuzet.api import AppDeps, create_app
from kuzet.api.testing import serve_in_thread

pytestmark = pytest.mark.e2e

PASSWORD = "e2e-citizen-password"
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("KUZET_SCREENSHOTS", "/tmp/kuzet-screenshots"))
WAIT_MS = 30_000
CONTACT = "+7 701 555 0142"
DESCRIPTION = "A man is breaking car windows next to the fountain"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, AppDeps]]:
    deps = citizen_deps(tmp_path, pow_bits=12)
    deps.auth.users.create("ana", PASSWORD, _role("operator"))
    with serve_in_thread(create_app(deps)) as base:
        yield base, deps
    deps.store.close()


def _role(name: str) -> Any:
    from kuzet.core.roles import Role

    return Role(name)


def _citizen_submits(browser: Any, base: str, picture: Path) -> tuple[str, str]:
    """(reference, status URL) after the phone-sized form is sent."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  geolocation={"latitude": 43.238949, "longitude": 76.945465},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.goto(base + "/report")
    page.select_option('[data-testid="report-category"]', "vandalism")
    page.click('[data-testid="report-locate"]')  # the citizen chooses to share the position
    page.wait_for_function(
        "document.querySelector('[data-testid=report-lat]').value !== ''", timeout=WAIT_MS)
    page.fill('[data-testid="report-place"]', "Central square")
    page.fill('[data-testid="report-description"]', DESCRIPTION)
    page.set_input_files('[data-testid="report-photos"]', str(picture))
    page.fill('[data-testid="report-contact"]', CONTACT)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form scrolls sideways on a phone ({width} px)"
    page.click('[data-testid="report-submit"]')
    page.wait_for_selector('[data-testid="report-receipt"]:not([hidden])', timeout=WAIT_MS)
    ref = page.text_content('[data-testid="report-ref"]') or ""
    status_url = page.get_attribute('[data-testid="report-status-link"]', "href") or ""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "citizen-report-sent.png"), full_page=True)
    context.close()
    return ref, status_url


def _operator_resolves(browser: Any, base: str, ref: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    page.fill('[data-testid="login-username"]', "ana")
    page.fill('[data-testid="login-password"]', PASSWORD)
    page.click('[data-testid="login-submit"]')
    page.goto(base + "/queue")
    row = page.locator('tr[data-testid="queue-row"]').first
    row.wait_for(timeout=WAIT_MS)
    assert "citizen report" in (row.text_content() or "").replace("_", " ").lower()
    row.click()
    panel = page.locator('[data-testid="citizen-detail"]')
    page.locator('[data-testid="citizen-camera"]').first.wait_for(timeout=WAIT_MS)
    assert ref in (panel.locator('[data-testid="citizen-ref"]').text_content() or "")
    assert DESCRIPTION in (panel.text_content() or "") and CONTACT in (panel.text_content() or "")
    cameras = panel.locator('[data-testid="citizen-camera"]')
    assert [cameras.nth(i).get_attribute("data-camera") for i in range(cameras.count())] == \
        ["square-north", "square-east"]
    assert "/recordings?at=" in (cameras.first.locator("a").get_attribute("href") or "")
    page.wait_for_function("document.querySelector('[data-testid=citizen-photo]')"
                           " && document.querySelector('[data-testid=citizen-photo]')"
                           ".naturalWidth > 0", timeout=WAIT_MS)
    page.screenshot(path=str(SHOTS / "citizen-report-queue.png"))
    page.click('[data-testid="act-acknowledge"]')
    page.locator('[data-testid="act-resolve"]').wait_for(timeout=WAIT_MS)
    page.click('[data-testid="act-resolve"]')
    page.select_option('[data-testid="action-verdict"]', "confirmed")
    page.fill('[data-testid="action-reason"]', "Patrol detained the suspect")
    page.click('[data-testid="action-submit"]')
    page.wait_for_function("document.querySelector('tr[data-testid=queue-row]') === null"
                           " || document.querySelector('tr[data-testid=queue-row]')"
                           ".dataset.state === 'resolved'", timeout=WAIT_MS)
    context.close()


def test_citizen_report_round_trip(browser: Any, served: tuple[str, AppDeps],
                                   tmp_path: Path) -> None:
    base, deps = served
    picture = tmp_path / "scene.jpg"
    picture.write_bytes(photo(1200, 900, gps=(43.2390, 76.9455)))
    ref, status_url = _citizen_submits(browser, base, picture)
    assert ref.startswith("KZ-") and "#t=" in status_url
    _operator_resolves(browser, base, ref)
    alarm = deps.response.alarms.get(deps.citizen.reports.get(ref).alarm_id)  # type: ignore[union-attr]
    assert (alarm.state, alarm.verdict) == ("resolved", "confirmed")
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(base + status_url)
    card = page.locator('[data-testid="status-card"]')
    card.wait_for(timeout=WAIT_MS)
    assert card.get_attribute("data-state") == "closed"
    assert "Confirmed" in (page.text_content('[data-testid="status-outcome"]') or "")
    text = page.text_content("body") or ""
    for personal in (CONTACT, DESCRIPTION, "Central square", "43.23", "ana", *CAMERAS):
        assert personal not in text, f"{personal!r} on the public status page"
    page.screenshot(path=str(SHOTS / "citizen-report-status.png"), full_page=True)
    page = context.new_page()  # a fresh document (a new # alone would not reload)
    page.goto(base + status_url.split("#")[0] + "#t=wrong")
    page.locator('[data-testid="status-message"]').wait_for(timeout=WAIT_MS)
    assert page.locator('[data-testid="status-card"]').is_hidden()
    context.close()
