"""The operator queue page in Chromium with many stored alarms: page load and action latency.

Stores N alarms (default 10,000; 20 cameras, mixed kinds and priorities, a quarter
resolved) in a SQLite file, serves the real app (uvicorn in a thread) and drives
``/usr/bin/chromium`` with Playwright, signed in as an operator:

- queue page load: navigation start to the first 200 rows rendered (the page
  connects the SSE stream, then fetches ``GET /api/alarms``), in the page's clock;
- the same ``GET /api/alarms`` alone over HTTP;
- action latency: the ``a`` key on a selected row to the row leaving the
  unhandled block (acknowledged alarms sort after the 7,500 unhandled ones):
  POST, compare-and-set write, history row, audit record, the answer and the
  200 rows drawn again, in the page's clock;
- the history page's first search (100 rows, newest first) over HTTP.

Usage:
    .venv/bin/python benchmarks/queue_page.py [--alarms N] [--loads L] [--actions A]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from alarm_queue import _rows  # noqa: E402 - the same 10,000 alarms as the store benchmark

from kuzet.api import AppDeps, create_app  # noqa: E402
from kuzet.api.testing import FakeLiveView, serve_in_thread  # noqa: E402
from kuzet.core.roles import Role  # noqa: E402
from kuzet.core.types import Event  # noqa: E402
from kuzet.events.bus import Bus  # noqa: E402
from kuzet.store import MediaStore, open_store  # noqa: E402

PASSWORD = "benchmark-password-123"
STATES = "state=new&state=skipped&state=acknowledged&state=dispatched&state=on_scene&state=on_hold"
WATCH = """([sel]) => { window.__done = new Promise((resolve) => {
  const check = () => {
    if (document.querySelector(sel)) return;
    obs.disconnect();
    resolve(performance.now() - window.__t0);
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, { subtree: true, childList: true, attributes: true });
  check();
}); }"""


def _median_ms(values: list[float]) -> str:
    median = statistics.median(values)
    return f"median {median:.1f} ms (min {min(values):.1f}, max {max(values):.1f})"


def _page(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url + "/login?next=%2Fqueue")
    page.fill('[data-testid="login-username"]', "ana")
    page.fill('[data-testid="login-password"]', PASSWORD)
    page.click('[data-testid="login-submit"]')
    page.wait_for_url(url + "/queue")
    return page


def _loads(page: Any, url: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        page.goto(url + "/queue")
        page.wait_for_function("window.__queue && window.__queue.loadedAt !== null")
        assert page.locator('tr[data-testid="queue-row"]').count() == 200
        times.append(float(page.evaluate("window.__queue.loadedAt")))
    return times


def _actions(page: Any, runs: int) -> list[float]:
    page.evaluate("document.addEventListener('keydown', () => { window.__t0 = performance.now(); },"
                  " true)")
    times = []
    for _ in range(runs):
        row = page.locator('tr[data-testid="queue-row"][data-state="new"]').first
        alarm_id = row.get_attribute("data-alarm-id")
        row.locator('[data-testid="queue-kind"]').click()
        # Acknowledged alarms sort after the 7,500 unhandled ones, beyond the loaded
        # page: the row leaves the page once the change is shown.
        still_new = f'tr[data-alarm-id="{alarm_id}"][data-state="new"]'
        page.evaluate(WATCH, [still_new])
        page.keyboard.press("a")
        times.append(float(page.evaluate("window.__done")))
    return times


def _http(url: str, path: str, headers: dict[str, str], runs: int) -> list[float]:
    times = []
    with httpx.Client(base_url=url, headers=headers) as client:
        for _ in range(runs):
            t0 = time.perf_counter()
            assert client.get(path).status_code == 200
            times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    """Seed, serve, drive Chromium; print the figures."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alarms", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--actions", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(None, Path(tmp))
        with Session(store.engine) as session, session.begin():
            session.add_all(_rows(args.alarms, datetime(2026, 1, 1, tzinfo=UTC)))
        live = FakeLiveView.with_cameras(*(f"cam-{i:02d}" for i in range(20)))
        bus: Bus[Event] = Bus()
        deps = AppDeps(store, MediaStore(Path(tmp) / "media"), bus, live)
        for name, role in (("ana", Role.OPERATOR), ("sue", Role.SUPERVISOR)):
            user = deps.auth.users.create(name, PASSWORD, role)
        secret, _ = deps.auth.tokens.create(user.id, "bench", user.principal().permissions, None)
        headers = {"Authorization": f"Bearer {secret}"}
        with serve_in_thread(create_app(deps)) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--no-sandbox", "--disable-gpu"])
            page = _page(browser, url)
            loads = _loads(page, url, args.loads)
            actions = _actions(page, args.actions)
            browser.close()
            api = _http(url, f"/api/alarms?{STATES}&limit=200", headers, 20)
            history = _http(url, "/api/history/alarms?limit=100", headers, 20)
        store.close()
    print(f"{args.alarms} stored alarms, 20 cameras, SQLite file, uvicorn + Chromium")
    print(f"queue page load (navigation -> 200 rows rendered): {_median_ms(loads)}")
    print(f"GET /api/alarms (open states, 200 rows) over HTTP:  {_median_ms(api)}")
    print(f"acknowledge key -> change shown in the queue:      {_median_ms(actions)}")
    print(f"GET /api/history/alarms (100 rows) over HTTP:      {_median_ms(history)}")


if __name__ == "__main__":
    main()
