"""CLI input limits and SIGTERM (issue 14, findings 7, 11): errors, never tracebacks."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuzet.cli import app

PASSWORD = "cli-password-123"


@pytest.mark.parametrize("days", ["1e7", "3651", "-1", "inf", "nan"])
def test_token_lifetime_out_of_range_is_a_clear_error(tmp_path: Path, days: str) -> None:
    """``kuzet tokens create --expires-days 1e7`` printed an OverflowError traceback."""
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    created = runner.invoke(app, ["users", "create-admin", *data], input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    result = runner.invoke(
        app, ["tokens", "create", "admin", "--name", "ci", "--expires-days", days, *data]
    )
    assert result.exit_code == 2, result.output
    assert "--expires-days must be 0..3650" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_command_waiting_for_input_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    """Before: SIGTERM killed CLI commands on the spot (status -15, no clean-up)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kuzet.cli", "users", "create-admin", "--data-dir", str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "kuzet.db").exists():  # waiting for the password on stdin now
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
