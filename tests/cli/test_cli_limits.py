"""CLI input limits (issue 14, finding 11): out-of-range numbers are errors, not tracebacks."""

from __future__ import annotations

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
