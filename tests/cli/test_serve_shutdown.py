"""`kuzet serve` stopped by SIGTERM or SIGINT (issue 14, findings 7 and 9): a real server
on loopback, real video and detector; afterwards no event is left open, each says why
it closed, and the audit trail ends in a signed checkpoint with nothing unsigned."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kuzet.api.testing import free_port

pytestmark = pytest.mark.models

CONFIG = """
version: 1
detect:
  fps: 5
  classes: [person]
cameras:
  plaza:
    source: {{url: "{video}", pace: realtime, loop: true}}
    zones:
      everywhere: {{points: [[0, 0], [1, 0], [1, 1], [0, 1]]}}
    rules:
      - {{kind: zone_presence, id: anyone, zone: everywhere, classes: [person],
          min_duration: 0.5, close_after: 60}}
"""


def _interactive() -> None:
    # A job started in the background inherits SIGINT ignored; a terminal's is not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _kuzet(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kuzet.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=_interactive,
    )


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def _wait_for(check: object, proc: subprocess.Popen[str], what: str, timeout: float) -> None:
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


def _healthy(base: str) -> bool:
    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
        return bool(answer.status == 200)


@pytest.mark.parametrize(
    ("sig", "status", "reason"),
    # uvicorn.run swallows the KeyboardInterrupt of SIGINT (exit 0, a plain "shutdown");
    # SIGTERM comes back as cli.signals.Terminated (exit 143).
    [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 0, "shutdown")],
)
def test_serve_stops_gracefully_on_signals(
    sample_video: Path, nanodet_installed: Path, tmp_path: Path, sig: int, status: int, reason: str
) -> None:
    config = tmp_path / "kuzet.yml"
    config.write_text(CONFIG.format(video=sample_video))
    port = free_port()
    db = tmp_path / "kuzet.db"
    proc = _kuzet("serve", "-c", str(config), "--data-dir", str(tmp_path), "--port", str(port))
    _wait_for(lambda: _healthy(f"http://127.0.0.1:{port}"), proc, "not healthy", 90)
    opened = "SELECT count(*) FROM events WHERE status = 'open'"
    _wait_for(lambda: _query(db, opened)[0][0] > 0, proc, "no event opened", 90)

    proc.send_signal(sig)
    output = proc.communicate(timeout=60)[0]

    assert proc.returncode == status, output
    assert "Traceback" not in output, output
    events = _query(db, "SELECT status, ended_at, attrs FROM events")
    assert events and all(s == "closed" and ended for s, ended, _ in events)
    assert {json.loads(str(attrs))["closed_reason"] for *_, attrs in events} == {reason}
    actions = [a for (a,) in _query(db, "SELECT action FROM audit_log ORDER BY seq")]
    assert actions[-2:] == ["system.stop", "audit.checkpoint"]
    last_seq = _query(db, "SELECT max(seq) FROM audit_log")[0][0]
    assert _query(db, "SELECT max(seq) FROM audit_checkpoints")[0][0] == last_seq
    verify = subprocess.run(
        [sys.executable, "-m", "kuzet.cli", "audit", "verify", "--strict", "--data-dir",
         str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "WARNING" not in verify.stderr


def test_analyze_exits_cleanly_on_sigterm(
    sample_video: Path, nanodet_installed: Path, tmp_path: Path
) -> None:
    """Before: SIGTERM killed CLI commands on the spot (status -15, no clean-up)."""
    config = tmp_path / "kuzet.yml"
    config.write_text(CONFIG.format(video=sample_video).replace(", pace: realtime, loop: true", ""))
    proc = _kuzet("analyze", str(sample_video), "-c", str(config), "--data-dir", str(tmp_path))
    _wait_for(lambda: (tmp_path / "kuzet.db").exists(), proc, "analyze did not start", 60)
    time.sleep(3)
    assert proc.poll() is None, "analyze finished before the signal"
    proc.send_signal(signal.SIGTERM)
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 143, output
    assert "Traceback" not in output
