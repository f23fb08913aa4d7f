"""The whole system as a user runs it: `kuzet serve` on sample video, real Chromium.

Nothing is faked: the server decodes vtest.avi, the detector processes run NanoDet,
the rule raises an alert, and the browser's console shows it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.e2e, pytest.mark.models]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(base: str, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"kuzet serve exited early:\n{proc.stdout.read() if proc.stdout else ''}"
            )
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("kuzet serve did not become healthy")


PASSWORD = "e2e-live-system-password"


def _kuzet(*args: str, stdin: str = "") -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "kuzet.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return proc.stdout


@pytest.fixture
def server(sample_video: Path, nanodet_installed: Path, tmp_path: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    # No default password: the admin is created through the CLI, as a user would.
    _kuzet("users", "create-admin", "--data-dir", str(tmp_path), stdin=PASSWORD + "\n")
    port = _free_port()
    env = {**os.environ, "KUZET_DEMO_VIDEO": str(sample_video)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kuzet.cli",
            "serve",
            "--config",
            str(REPO / "examples" / "demo.yml"),
            "--data-dir",
            str(tmp_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


# Records when each alert first appears in the page (browser clock = this machine's clock).
_SEEN_SCRIPT = """
window.__alertSeen = {};
new MutationObserver(() => {
  document.querySelectorAll('[data-testid="alert-item"]').forEach((li) => {
    const id = li.dataset.eventId;
    if (id && !(id in window.__alertSeen)) window.__alertSeen[id] = Date.now() / 1000;
  });
}).observe(document, { subtree: true, childList: true });
"""


def test_console_shows_both_cameras_live_and_an_alert(server: str, tmp_path: Path) -> None:
    from datetime import datetime

    from playwright.sync_api import sync_playwright

    token = _kuzet(
        "tokens", "create", "admin", "--name", "e2e", "--data-dir", str(tmp_path)
    ).strip()
    auth = {"Authorization": f"Bearer {token}"}

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.add_init_script(_SEEN_SCRIPT)
        page.goto(server + "/")
        page.wait_for_url(f"{server}/login?next=%2F")
        page.fill('[data-testid="login-username"]', "admin")
        page.fill('[data-testid="login-password"]', PASSWORD)
        page.click('[data-testid="login-submit"]')
        page.wait_for_url(f"{server}/admin")  # the admin's home; the grid is at /cameras
        page.goto(f"{server}/cameras")
        loaded_at = time.time()
        assert page.locator('[data-testid="camera-tile"]').count() == 2
        # both live views deliver real frames, both cameras report online
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="camera-live"]')]
                   .filter(img => img.naturalWidth > 0).length === 2""",
            timeout=60_000,
        )
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="camera-health"]')]
                   .every(b => b.dataset.state === 'online')""",
            timeout=30_000,
        )
        # an alert from the zone rule appears without reloading the page
        item = page.locator('[data-testid="alert-item"]').first
        item.wait_for(timeout=60_000)
        assert "zone" in item.inner_text().lower()
        # Signing in takes a few seconds, so the first alerts may predate the page:
        # wait for one the page did not have when it loaded (pushed live).
        page.wait_for_function(
            """([since]) => Object.values(window.__alertSeen).some(t => t > since + 1)""",
            arg=[page.evaluate("Math.max(0, ...Object.values(window.__alertSeen))")],
            timeout=120_000,
        )
        page.screenshot(path=str(tmp_path / "console.png"))
        seen: dict[str, float] = page.evaluate("window.__alertSeen")
        browser.close()

    assert seen
    latencies = []
    for event_id, seen_at in seen.items():
        request = urllib.request.Request(f"{server}/api/events/{event_id}", headers=auth)
        with urllib.request.urlopen(request, timeout=5) as r:
            event = json.load(r)
        assert event["kind"] == "zone_presence"
        started = datetime.fromisoformat(event["started_at"]).timestamp()
        if started > loaded_at:  # pushed live, not loaded with the page
            latencies.append(seen_at - started)
    # frame-to-browser latency: from the decoded frame that opened the event to the page
    print(f"frame-to-browser alert latency (s): {[round(x, 3) for x in latencies]}")
    assert latencies, "no alert was pushed live after the page loaded"
    assert max(latencies) < 2.0
