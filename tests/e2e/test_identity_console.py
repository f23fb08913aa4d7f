"""The identity console in a real browser: an admin builds a watchlist and enrols a face;
two supervisors confirm the match the identity service raises (the same one twice: refused).

Uses ../shared/data/faces/face_recognition_examples and the installed model pack;
skips cleanly when either is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_console import PASSWORD, SCREENSHOTS, WAIT_MS, sign_in

from face_probes import FACE_DATA, probe_of
from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, serve_in_thread
from kuzet.core.roles import Role
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.store import MediaStore, open_store

pytestmark = [pytest.mark.e2e, pytest.mark.shared, pytest.mark.models]

DATA = FACE_DATA
ENROL = DATA / "examples/obama.jpg"
TWO_FACES = DATA / "examples/knn_examples/test/obama_and_biden.jpg"
PROBE = DATA / "examples/obama2.jpg"  # another photo of the same person
ENTRY = {
    "entry-name": "Barack Test",
    "entry-reference": "REF-77",
    "entry-legal-basis": "Criminal Procedure Code art. 12",
    "entry-authority": "City court",
    "entry-case-ref": "CASE-2026-001",
    "entry-purpose": "locate a missing witness",
    "entry-owner": "unit 7",
    "entry-expires": "2099-12-31T12:00",
}


@pytest.fixture
def console(tmp_path: Path, enroller: Any) -> Iterator[tuple[str, AppDeps]]:
    """The app on a real port with a real identity service; an admin and two supervisors."""
    from kuzet.config.identity import IdentityConfig
    from kuzet.identity.service import IdentityService

    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    media = MediaStore(tmp_path / "media")
    deps = AppDeps(store, media, bus, FakeLiveView.with_cameras("gate"))
    deps.identity = IdentityService(store.engine, media, bus, IdentityConfig(), enroller)
    deps.auth.users.create("admin", PASSWORD, Role.ADMIN)
    for name in ("sup1", "sup2"):
        deps.auth.users.create(name, PASSWORD, Role.SUPERVISOR)
    try:
        with serve_in_thread(create_app(deps)) as url:
            yield url, deps
    finally:
        store.close()


def _new_page(browser: Any, errors: list[str]) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def _admin_builds_watchlist(page: Any, url: str) -> str:
    """Create a list and a governed entry, enrol a photo; returns the entry id."""
    sign_in(page, url)
    page.click('[data-testid="nav-watchlists"]')
    page.wait_for_url(f"{url}/watchlists")
    page.fill('[data-testid="watchlist-name"]', "Missing persons")
    page.select_option('[data-testid="watchlist-kind"]', "missing")
    page.fill('[data-testid="watchlist-threshold"]', "0.5")
    page.click('[data-testid="watchlist-create"]')
    link = page.locator('[data-testid="watchlist-link"]', has_text="Missing persons")
    link.wait_for(timeout=WAIT_MS)
    row = page.locator('[data-testid="watchlist-row"]')
    assert "missing" in row.inner_text() and "0.5" in row.inner_text()
    link.click()
    page.wait_for_selector('[data-testid="entries-empty"]', timeout=WAIT_MS)
    for testid, value in ENTRY.items():  # everything but the legal basis: refused
        if testid != "entry-legal-basis":
            page.fill(f'[data-testid="{testid}"]', value)
    page.click('[data-testid="entry-create"]')
    error = page.locator('[data-testid="entry-error"]')
    error.wait_for(state="visible", timeout=WAIT_MS)
    assert "legal_basis" in error.inner_text()
    page.fill('[data-testid="entry-legal-basis"]', ENTRY["entry-legal-basis"])
    page.click('[data-testid="entry-create"]')
    entry = page.locator('[data-testid="entry-row"]')
    entry.wait_for(timeout=WAIT_MS)
    assert error.is_hidden()
    for testid in ("legal-basis", "authority", "case-ref", "purpose", "owner"):
        cell = entry.locator(f'[data-testid="entry-{testid}-cell"]').inner_text()
        assert cell == ENTRY[f"entry-{testid}"]
    assert entry.locator('[data-testid="entry-status"]').text_content() == "active"
    _upload(page, TWO_FACES)
    note = page.locator('[data-testid="photo-message"]')
    assert "faces" in note.inner_text() and "refused" in note.inner_text().lower()
    page.screenshot(path=str(SCREENSHOTS / "watchlist-refused-photo.png"), full_page=True)
    _upload(page, ENROL)
    assert "enrolled" in note.inner_text().lower()
    photo = page.locator('[data-testid="entry-photo"]')
    page.wait_for_function(
        "document.querySelector('[data-testid=\"entry-photo\"]').naturalWidth > 0",
        timeout=WAIT_MS,
    )
    assert photo.count() == 1
    page.screenshot(path=str(SCREENSHOTS / "watchlist.png"), full_page=True)
    for action, state in (("Suspend", "suspended"), ("Resume", "active")):
        toggle = page.locator('[data-testid="entry-toggle"]')
        assert toggle.inner_text() == action
        toggle.click()
        page.wait_for_function(
            f"document.querySelector('[data-testid=\"entry-status\"]').textContent == '{state}'",
            timeout=WAIT_MS,
        )
    return str(entry.get_attribute("data-entry-id"))


def _upload(page: Any, photo: Path) -> None:
    before = page.locator('[data-testid="photo-message"]').count()
    page.set_input_files('[data-testid="photo-input"]', str(photo))
    page.click('[data-testid="photo-upload"]')
    page.wait_for_function(
        "n => { const m = document.querySelectorAll('[data-testid=\"photo-message\"]');"
        " return m.length >= n && m[0].textContent && !m[0].hidden && m[0].dataset.seen !== '1'; }",
        arg=before,
        timeout=WAIT_MS * 3,
    )
    page.evaluate("document.querySelector('[data-testid=\"photo-message\"]').dataset.seen = '1'")


def _wait_images(page: Any, card: str) -> None:
    for testid in ("match-probe", "match-enrolled"):
        page.wait_for_function(
            f"document.querySelector('{card} [data-testid=\"{testid}\"]').naturalWidth > 0",
            timeout=WAIT_MS,
        )


def _reject_needs_a_reason(page: Any, deps: AppDeps) -> None:
    [match] = deps.identity.handle(probe_of(deps.identity.enroller, PROBE, track=5))
    card = f'[data-testid="pending-list"] [data-match-id="{match.id}"]'
    page.wait_for_selector(card, timeout=WAIT_MS)
    page.click(f'{card} [data-testid="match-reject"]')  # no reason: the server's 422
    note = page.locator(f'{card} [data-testid="match-message"].error')
    note.wait_for(state="visible", timeout=WAIT_MS)
    assert "reason" in note.inner_text()
    page.fill(f'{card} [data-testid="match-reason"]', "different person: ear shape differs")
    page.click(f'{card} [data-testid="match-reject"]')
    page.wait_for_selector(card, state="detached", timeout=WAIT_MS)
    assert deps.identity.matches.get(match.id).match.status == "rejected"


def _face_search_says_nothing_retained(page: Any, url: str) -> None:
    page.click('[data-testid="nav-face-search"]')
    page.wait_for_url(f"{url}/search/faces")
    page.set_input_files('[data-testid="face-search-photo"]', str(PROBE))
    page.click('[data-testid="face-search-submit"]')
    page.wait_for_function(
        "document.querySelector('[data-testid=\"face-search-message\"]')"
        ".textContent.includes('not retained')",
        timeout=WAIT_MS,
    )
    assert page.locator('[data-testid="face-search-result"]').count() == 0
    page.screenshot(path=str(SCREENSHOTS / "face-search.png"), full_page=True)


def test_watchlist_enrolment_and_two_person_confirmation(
    browser: Any, console: tuple[str, AppDeps]
) -> None:
    url, deps = console
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    admin = _new_page(browser, errors)
    entry_id = _admin_builds_watchlist(admin, url)
    assert admin.locator('[data-testid="nav-matches"]').count() == 0  # admins do not verify

    sup1 = _new_page(browser, errors)
    sign_in(sup1, url, "sup1")
    sup1.click('[data-testid="nav-matches"]')
    sup1.wait_for_url(f"{url}/matches")
    sup1.wait_for_selector('[data-testid="pending-empty"]:visible', timeout=WAIT_MS)
    [match] = deps.identity.handle(probe_of(deps.identity.enroller, PROBE, track=4))
    assert match.entry_id == entry_id
    card = f'[data-testid="pending-list"] [data-match-id="{match.id}"]'
    sup1.wait_for_selector(card, timeout=WAIT_MS)  # pushed by the face_match event
    _wait_images(sup1, card)
    text = sup1.locator(card).inner_text()
    assert "Barack Test" in text and "Missing persons" in text and "gate" in text
    assert "0 of 2 confirmations" in text
    sup1.click(f'{card} [data-testid="match-confirm"]')
    confirmations = sup1.locator(f'{card} [data-testid="match-confirmations"]')
    sup1.wait_for_function(
        f"document.querySelector('{card} [data-testid=\"match-confirmations\"]')"
        ".textContent.startsWith('1 of 2')",
        timeout=WAIT_MS,
    )
    assert "sup1" in sup1.locator(f'{card} [data-testid="match-verifiers"]').inner_text()
    sup1.click(f'{card} [data-testid="match-confirm"]')  # the same user again: refused
    note = sup1.locator(f'{card} [data-testid="match-message"].error')
    note.wait_for(state="visible", timeout=WAIT_MS)
    assert "Refused" in note.inner_text() and "already confirmed" in note.inner_text()
    assert confirmations.inner_text().startswith("1 of 2")
    sup1.screenshot(path=str(SCREENSHOTS / "matches-refused.png"), full_page=True)

    sup2 = _new_page(browser, errors)
    sign_in(sup2, url, "sup2")
    sup2.goto(f"{url}/matches")
    sup2.wait_for_selector(card, timeout=WAIT_MS)
    sup2.click(f'{card} [data-testid="match-confirm"]')
    done = f'[data-testid="confirmed-list"] [data-match-id="{match.id}"]'
    sup2.wait_for_selector(done, timeout=WAIT_MS)
    _wait_images(sup2, done)
    assert sup2.locator(f'{done} [data-testid="match-status"]').text_content() == "actionable"
    assert "2 of 2 confirmations" in sup2.locator(done).inner_text()
    assert sup2.locator(card).count() == 0
    assert sup2.locator('[data-testid="pending-empty"]').is_visible()
    sup2.screenshot(path=str(SCREENSHOTS / "matches-actionable.png"), full_page=True)
    sup1.wait_for_selector(done, timeout=WAIT_MS)  # the other verifier's page follows
    _reject_needs_a_reason(sup1, deps)
    _face_search_says_nothing_retained(sup1, url)
    for page in (admin, sup1, sup2):
        page.context.close()
    assert errors == []
