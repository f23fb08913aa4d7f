"""Unmask in a real browser: a supervisor unmasks with a typed reason, sees the countdown
and ends it (audited); an operator has no Unmask control and sees "redacted" badges."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from test_console import PASSWORD, SCREENSHOTS, WAIT_MS, sign_in

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, make_jpeg, serve_in_thread
from kuzet.core.roles import Role
from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.privacy.audit import AuditQuery
from kuzet.store import MediaStore, open_store

pytestmark = pytest.mark.e2e

REASON = "incident 42: suspect at the north gate"



class _NoFaces:
    """Stands in for the redactor of old snapshots (no model load in a browser test)."""

    def redact_jpeg(self, jpeg: bytes) -> bytes:
        return jpeg[:-2] + b"\xff\xd9" if jpeg.endswith(b"\xff\xd9") else jpeg


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[str, AppDeps]]:
    """The app on a real port with a supervisor, an operator and one event with a snapshot."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    deps = AppDeps(store, MediaStore(tmp_path / "media"), bus, FakeLiveView.with_cameras("gate"))
    deps.redactor = _NoFaces()  # type: ignore[assignment]
    deps.auth.users.create("sam", PASSWORD, Role.SUPERVISOR)
    deps.auth.users.create("olga", PASSWORD, Role.OPERATOR)
    started = datetime.now(UTC)
    key = f"snapshots/gate/{started:%Y/%m/%d}/ev-u.jpg"
    digest = deps.media.put(key, make_jpeg(640, 360, text="snapshot"))
    bus.publish(
        Event(
            id="ev-u",
            camera_id="gate",
            kind=EventKind.LOITERING,
            rule_id="gate-loiter",
            phase=EventPhase.OPEN,
            started_at=started,
            severity=Severity.ALERT,
            evidence=Evidence(snapshot_key=key, snapshot_sha256=digest),
        )
    )
    try:
        with serve_in_thread(create_app(deps)) as url:
            yield url, deps
    finally:
        store.close()


def _badge(page: Any, where: str) -> Any:
    return page.locator(f'{where} [data-testid="redacted-badge"]')


def test_supervisor_unmasks_with_a_reason_and_ends_it(
    browser: Any, console: tuple[str, AppDeps]
) -> None:
    url, deps = console
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, url, "sam", then="/cameras")
    tile = '[data-testid="camera-tile"][data-camera-id="gate"]'
    assert _badge(page, tile).is_visible()
    page.click('[data-testid="unmask-open"]')
    page.locator('[data-testid="unmask-dialog"]').wait_for(state="visible", timeout=WAIT_MS)
    page.fill('[data-testid="unmask-reason"]', "too short")
    page.click('[data-testid="unmask-submit"]')
    assert page.locator('[data-testid="unmask-active"]').is_hidden()
    page.fill('[data-testid="unmask-reason"]', REASON)
    page.fill('[data-testid="unmask-minutes"]', "5")
    page.click('[data-testid="unmask-submit"]')
    countdown = page.locator('[data-testid="unmask-countdown"]')
    countdown.wait_for(state="visible", timeout=WAIT_MS)
    page.wait_for_function(
        "/^[45]:[0-5][0-9]$/.test("
        "document.querySelector('[data-testid=\"unmask-countdown\"]').textContent)",
        timeout=WAIT_MS,
    )
    assert page.locator('[data-testid="unmask-open"]').is_hidden()
    page.wait_for_selector(f'{tile} [data-testid="redacted-badge"]', state="hidden")
    page.screenshot(path=str(SCREENSHOTS / "unmask-active.png"))
    records = deps.audit.list(AuditQuery(action="unmask")).items
    assert len(records) == 1 and records[0].actor == "sam"
    assert records[0].details["reason"] == REASON and records[0].details["minutes"] == 5

    page.goto(url + "/events/ev-u")  # snapshot of an unmasked viewer: no badge
    page.locator('[data-testid="event-snapshot"]').wait_for(timeout=WAIT_MS)
    assert _badge(page, ".snapshot").is_hidden()
    page.click('[data-testid="unmask-end"]')
    page.wait_for_selector('.snapshot [data-testid="redacted-badge"]', state="visible")
    page.locator('[data-testid="unmask-open"]').wait_for(state="visible", timeout=WAIT_MS)
    phases = [r.details.get("phase") for r in deps.audit.list(AuditQuery(action="unmask")).items]
    assert sorted(phases) == ["end", "start"]
    page.close()
    assert errors == []


def test_operator_has_no_unmask_control(browser: Any, console: tuple[str, AppDeps]) -> None:
    url, _deps = console
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sign_in(page, url, "olga", then="/cameras")
    assert page.locator('[data-testid="user-role"]').inner_text() == "operator"
    assert page.locator('[data-testid="unmask-open"]').count() == 0
    assert page.locator('[data-testid="unmask-dialog"]').count() == 0
    assert _badge(page, '[data-camera-id="gate"]').is_visible()
    page.goto(url + "/events/ev-u")
    page.locator('[data-testid="event-snapshot"]').wait_for(timeout=WAIT_MS)
    assert _badge(page, ".snapshot").is_visible()
    page.close()
