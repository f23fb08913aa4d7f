"""The response loop in real Chromium on a live system: two operators and a supervisor.

`kuzet serve` decodes vtest.avi on two cameras with NanoDet; the zone rule fires,
the runtime opens alarms (high on plaza_1, low on plaza_2 with a 6 s acknowledge
limit) and pushes them to the queue pages over SSE. Nothing is injected: every
alarm comes from the cameras, every action from a browser.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from test_live_system import CHROMIUM, _free_port, _kuzet, _wait_healthy

pytestmark = [pytest.mark.e2e, pytest.mark.models]

PASSWORD = "e2e-response-loop-password"
SHOTS = Path(os.environ.get("KUZET_SCREENSHOTS", "/tmp/kuzet-screenshots"))
WAIT_MS = 30_000
ALARM_MS = 150_000  # the video loops every ~80 s; alarms come in bursts
CONFIG = """
version: 1
timezone: Asia/Almaty
detect: {{fps: 5, classes: [person]}}
cameras:
{cameras}
response:
  escalate_every: 1
  rules:
    - {{rule: people_in_centre, camera: plaza_1, priority: high}}
    - {{rule: people_in_centre, camera: plaza_2, priority: low}}
  acknowledge_within: {{critical: null, high: null, medium: null, low: 6}}
  procedures:
    phone_call:
      version: 1
      title: {{ru: Звонок, en: Phone call}}
      steps:
        - {{id: confirm, kind: question, text: {{en: Is the scene visible on a camera?}},
            no: end}}
        - id: send_patrol
          text: {{en: Send the nearest patrol}}
          note_required: true
          legal: {{code: {{en: Code of Administrative Offences}}, article: "434",
                  text: {{en: Petty hooliganism}}}}
"""
CAMERA = """  {cid}:
    name: {name}
    site: plaza
    source: {{url: "{video}", pace: realtime, loop: true}}
    zones:
      centre: {{points: [[0.30, 0.35], [0.70, 0.35], [0.70, 0.85], [0.30, 0.85]]}}
    rules:
      - {{kind: zone_presence, id: people_in_centre, zone: centre, min_duration: 1,
          cooldown: 3, close_after: 1}}
"""
# Records when each alarm row first appears (browser clock = this machine's clock).
SEEN = """
window.__rowSeen = {};
new MutationObserver(() => {
  document.querySelectorAll('tr[data-testid="queue-row"]').forEach((tr) => {
    const id = tr.dataset.alarmId;
    if (id && !(id in window.__rowSeen)) window.__rowSeen[id] = Date.now() / 1000;
  });
}).observe(document, { subtree: true, childList: true });
"""


@pytest.fixture
def live(sample_video: Path, nanodet_installed: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, supervisor token) of `kuzet serve` on two live cameras."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    cameras = "".join(CAMERA.format(cid=f"plaza_{i}", name=f"Plaza {i}", video=sample_video)
                      for i in (1, 2))
    config = tmp_path / "kuzet.yml"
    config.write_text(CONFIG.format(cameras=cameras))
    data = str(tmp_path / "data")
    for name, role in (("ana", "operator"), ("bob", "operator"), ("sue", "supervisor")):
        _kuzet("users", "add", name, "--role", role, "--data-dir", data, stdin=PASSWORD + "\n")
    token = _kuzet("tokens", "create", "sue", "--name", "e2e", "--data-dir", data).strip()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kuzet.cli", "serve", "--config", str(config), "--data-dir", data,
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _get(base: str, token: str, path: str) -> Any:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def _queue(browser: Any, base: str, user: str) -> Any:
    """A signed-in page on /queue, stream connected (own context: own cookies)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["notifications"], origin=base)
    page = context.new_page()
    page.add_init_script(SEEN)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(base + "/login")
    page.fill('[data-testid="login-username"]', user)
    page.fill('[data-testid="login-password"]', PASSWORD)
    page.click('[data-testid="login-submit"]')
    page.wait_for_url(lambda u: "/login" not in u)  # the role's home
    page.goto(base + "/queue")
    page.wait_for_selector('[data-testid="stream-status"][data-state="connected"]', timeout=WAIT_MS)
    return page


def _row(page: Any, alarm_id: str, extra: str = "") -> str:
    return f'tr[data-testid="queue-row"][data-alarm-id="{alarm_id}"]{extra}'


def _first(page: Any, selector: str, exclude: set[str] | None = None) -> str:
    """Id of the first queue row matching ``selector`` not in ``exclude`` (waits)."""
    skip = sorted(exclude or ())
    page.wait_for_function(
        """([sel, skip]) => [...document.querySelectorAll(sel)]
             .some((tr) => !skip.includes(tr.dataset.alarmId))""",
        arg=[selector, skip], timeout=ALARM_MS)
    ids: list[str] = page.eval_on_selector_all(selector, "rows => rows.map(r => r.dataset.alarmId)")
    return next(i for i in ids if i not in skip)


def _act(page: Any, alarm_id: str, key: str, fill: dict[str, str] | None = None) -> None:
    """Select the alarm's row, press ``key``, fill and submit the dialog if one opens."""
    page.click(_row(page, alarm_id) + ' [data-testid="queue-kind"]')
    page.keyboard.press(key)
    if fill is not None:
        for selector, value in fill.items():
            if selector.endswith("verdict\"]"):
                page.select_option(selector, value)
            else:
                page.fill(selector, value)
        page.click('[data-testid="action-submit"]')


def test_two_operators_and_a_supervisor_handle_live_alarms(browser: Any,
                                                           live: tuple[str, str]) -> None:
    base, token = live
    SHOTS.mkdir(parents=True, exist_ok=True)
    ana, bob, sue = (_queue(browser, base, u) for u in ("ana", "bob", "sue"))
    ana.check('[data-testid="notify-toggle"]')
    loaded_at = time.time()
    high = 'tr[data-testid="queue-row"][data-priority="high"][data-state="new"]'

    # 1. A high alarm from plaza_1: ana takes it, bob's take is refused with a clear message.
    first = _first(ana, high)
    bob.wait_for_selector(_row(bob, first), timeout=WAIT_MS)
    _act(ana, first, "a")
    ana.wait_for_selector(_row(ana, first, '[data-state="acknowledged"]'), timeout=WAIT_MS)
    bob.wait_for_selector(_row(bob, first, '[data-state="acknowledged"]'), timeout=WAIT_MS)
    _act(bob, first, "a")
    refusal = bob.locator('[data-testid="page-message"][data-kind="error"]')
    refusal.wait_for(timeout=WAIT_MS)
    text = refusal.inner_text()
    assert "Conflict" in text and "it is acknowledged" in text and "owner: ana" in text, text

    # ... dispatches a unit, marks it on scene, resolves it as confirmed (keys and buttons).
    _act(ana, first, "d", {'[data-testid="action-unit"]': "patrol-7"})
    ana.wait_for_selector(_row(ana, first, '[data-state="dispatched"]'), timeout=WAIT_MS)
    ana.click('[data-testid="alarm-detail"] [data-testid="act-on_scene"]')
    ana.wait_for_selector(_row(ana, first, '[data-state="on_scene"]'), timeout=WAIT_MS)
    _act(ana, first, "r", {'[data-testid="action-verdict"]': "confirmed"})
    ana.wait_for_selector(_row(ana, first), state="detached", timeout=WAIT_MS)
    done = _get(base, token, f"/api/alarms/{first}")
    assert (done["state"], done["verdict"], done["owner"], done["unit"]) == (
        "resolved", "confirmed", "ana", "patrol-7")
    assert [h["action"] for h in done["history"]] == [
        "open", "acknowledge", "dispatch", "on_scene", "resolve"]

    # 2. A low alarm from plaza_2 nobody takes: past its 6 s limit it is skipped and
    #    re-queued to the supervisor; an operator cannot take it, the supervisor can.
    sue.check('[data-testid="filter-supervisors"]')
    skipped = _first(sue, 'tr[data-testid="queue-row"][data-state="skipped"]')
    assert sue.locator(_row(sue, skipped) + ' [data-testid="alarm-escalated"]').count() == 1
    assert sue.locator(_row(sue, skipped) + ' [data-testid="alarm-queue"]').count() == 1
    ana.wait_for_selector(_row(ana, skipped), timeout=WAIT_MS)
    _act(ana, skipped, "a")
    ana.wait_for_selector('[data-testid="page-message"][data-kind="error"]:has-text("only a '
                          'supervisor")', timeout=WAIT_MS)
    _act(sue, skipped, "a")
    sue.wait_for_selector(_row(sue, skipped, '[data-state="acknowledged"]'), timeout=WAIT_MS)
    sue.screenshot(path=str(SHOTS / "queue-supervisor.png"))
    sue.uncheck('[data-testid="filter-supervisors"]')

    # 3. Two alarms (one per camera) grouped into one incident from the queue (x, x, g).
    second = _first(sue, high, {first})
    sue.wait_for_selector(_row(sue, skipped), timeout=WAIT_MS)
    for alarm_id in (second, skipped):
        sue.click(_row(sue, alarm_id) + ' [data-testid="queue-kind"]')
        sue.keyboard.press("x")
    sue.keyboard.press("g")
    sue.click('[data-testid="message-incident"]')
    sue.wait_for_selector('[data-testid="incident-alarm"]', timeout=WAIT_MS)
    assert sue.locator('[data-testid="incident-alarm"]').count() == 2
    playback = sue.get_attribute('[data-testid="incident-playback"]', "href") or ""
    assert playback.startswith("/playback?cameras=plaza_1,plaza_2&at=")
    grouped = sue.get_attribute('[data-testid="incident"]', "data-incident-id")

    # 4. A phone call: ana opens an incident by hand with a location, merges the other in.
    ana.click('[data-testid="new-incident"]')
    ana.fill('[data-testid="incident-location"]', "Abay Ave 10, by the fountain")
    ana.select_option('[data-testid="incident-priority"]', "high")
    ana.fill('[data-testid="incident-description"]', "Caller reports a fight near the fountain")
    ana.click('[data-testid="incident-submit"]')
    ana.wait_for_url(f"{base}/incidents/*", timeout=WAIT_MS)
    ana.wait_for_selector(f'[data-testid="inc-merge-with"] option[value="{grouped}"]',
                          state="attached", timeout=WAIT_MS)
    ana.select_option('[data-testid="inc-merge-with"]', grouped)
    ana.click('[data-testid="inc-merge"]')
    ana.wait_for_function(
        "document.querySelectorAll('[data-testid=\"incident-alarm\"]').length === 2",
        timeout=WAIT_MS)
    assert "Abay Ave 10" in ana.inner_text('[data-testid="incident-location"]')
    # The phone call's procedure: answer the question, do the step with its note.
    ana.click('[data-step-id="confirm"] [data-testid="step-yes"]')
    step = '[data-testid="procedure-step"][data-step-id="send_patrol"]'
    ana.click(step + ' [data-testid="step-done"]')
    ana.fill('[data-testid="action-text"]', "patrol-7 sent")
    ana.click('[data-testid="action-submit"]')
    ana.wait_for_selector(step + '[data-status="done"]', timeout=WAIT_MS)
    assert "434" in ana.inner_text(step)
    ana.wait_for_function(  # the redacted snapshots of both alarms
        """() => [...document.querySelectorAll('[data-testid="incident-snapshot"]')]
                 .every((img) => img.hidden || (img.complete && img.naturalWidth > 0))""",
        timeout=WAIT_MS)
    ana.screenshot(path=str(SHOTS / "incident.png"), full_page=True)
    merged = _get(base, token, f"/api/incidents/{grouped}")
    assert merged["state"] == "merged" and merged["alarms"] == []

    # 5. A high alarm that arrives while the page is open: on screen, with the chime.
    ana.goto(base + "/queue")
    ana.wait_for_function("window.__queue && window.__queue.loadedAt !== null", timeout=WAIT_MS)
    listed = set(ana.eval_on_selector_all('tr[data-testid="queue-row"]',
                                          "rows => rows.map(r => r.dataset.alarmId)"))
    fresh = _first(ana, high, listed | {first, second})
    ana.screenshot(path=str(SHOTS / "queue.png"))
    sounds = ana.evaluate("window.__queue.sounds")
    seen: dict[str, float] = ana.evaluate("window.__rowSeen")

    # 6. History: the confirmed alarm is found by verdict; the page is in the site's zone.
    sue.goto(base + "/history")
    sue.select_option('[data-testid="history-verdict"]', "confirmed")
    sue.click('[data-testid="history-search"]')
    sue.wait_for_selector(f'tr[data-testid="history-row"][data-alarm-id="{first}"]',
                          timeout=WAIT_MS)
    assert "Asia/Almaty" in sue.inner_text('[data-testid="history-tz"]')
    sue.screenshot(path=str(SHOTS / "history.png"))

    alarm = _get(base, token, f"/api/alarms/{fresh}")
    event = _get(base, token, f"/api/events/{fresh}")
    opened = datetime.fromisoformat(alarm["opened_at"]).timestamp()
    started = datetime.fromisoformat(event["started_at"]).timestamp()
    print(f"alarm opened -> on screen: {seen[fresh] - opened:.3f} s; event start -> on "
          f"screen: {seen[fresh] - started:.3f} s (page loaded {loaded_at:.0f})")
    assert sounds >= 1
    assert seen[fresh] - opened < 3.0
    for page in (ana, bob, sue):
        assert page.errors == []
