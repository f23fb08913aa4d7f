"""SIGTERM to ``kuzet serve``, also while the database is locked: nothing lost or left open.

With the database locked when the signal arrives, the writes the server could
not apply stay in the outbox; applying the outbox (as the next start does)
stores them, and afterwards no event is open.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from fault_rig import ROWS, write_clip

from kuzet.api.testing import free_port
from kuzet.store import EventQuery, open_store
from kuzet.store.outbox import Outbox

pytestmark = [pytest.mark.faults, pytest.mark.models]

CONFIG = """
detect: {{fps: 1, width: 320}}
cameras:
  cam:
    source: {{url: "{clip}", pace: realtime, loop: true}}
    rules:
      - {{id: dark, kind: camera_tamper, tamper: occlusion, min_duration: 0.5,
          close_after: 0.5, learn_s: 1, cooldown: 0}}
"""


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql).fetchall()


def _wait(check: object, proc: subprocess.Popen[str], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"kuzet serve exited early:\n{proc.communicate()[0]}"
        try:
            if check():  # type: ignore[operator]
                return
        except (OSError, sqlite3.Error):
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError(f"{what} within {timeout} s:\n{proc.communicate()[0]}")


def _healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
        return bool(answer.status == 200)


def _lock(db: Path, seconds: float, held: threading.Event) -> None:
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    held.set()
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


@pytest.mark.parametrize("locked_s", [0.0, 8.0, 25.0])
def test_sigterm_loses_nothing(nanodet_installed: Path, tmp_path: Path, locked_s: float) -> None:
    clip = write_clip(tmp_path / "scene.mp4")
    config = tmp_path / "kuzet.yml"
    config.write_text(CONFIG.format(clip=clip))
    data, port = tmp_path / "data", free_port()
    db = data / "kuzet.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kuzet.cli", "serve", "-c", str(config), "--data-dir", str(data),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    _wait(lambda: _healthy(port), proc, "healthy", 90)
    _wait(lambda: _rows(db, "SELECT count(*) FROM events")[0][0] >= 2, proc, "events", 90)
    held = threading.Event()
    locker = threading.Thread(target=_lock, args=(db, locked_s, held), daemon=True)
    if locked_s:
        locker.start()
        held.wait(10)
        time.sleep(2)  # camera output piles up in the outbox
    signalled = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    output = proc.communicate(timeout=90)[0]
    stopped = time.monotonic() - signalled
    if locked_s:
        locker.join()
    assert proc.returncode == 143, output
    assert "Traceback" not in output, output

    # What the next start does first: apply what the outbox still holds.
    store = open_store(None, data)
    try:
        handlers = {"event": lambda e, key: store.events.upsert(e),
                    "alarm": lambda e, key: None}  # alarms: not what this test counts
        box = Outbox(data / "outbox.db", handlers)
        pending = box.state().pending
        box.drain_once(10_000)
        left = box.stop(0)
        assert left.pending == 0 and left.dead == 0, left
        stored = store.events.list(EventQuery(limit=500)).items
    finally:
        store.close()
    fault = f"SIGTERM (DB locked {locked_s:.0f} s)" if locked_s else "SIGTERM"
    ROWS.append((fault, "-", len(stored), stopped,
                 f"{sum(e.status == 'open' for e in stored)} open; {pending} from outbox"))
    assert stored and all(e.status == "closed" for e in stored), [e.id for e in stored]
    assert all(e.ended_at is not None and e.ended_at >= e.started_at for e in stored)
