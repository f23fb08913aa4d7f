"""STYLE.md's house rules, enforced: ruff (incl. complexity and argument counts),
module size limit, and mypy --strict over every package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize(
    "cmd",
    [
        (str(BIN / "ruff"), "check", "src", "tests", "benchmarks"),
        (sys.executable, "scripts/check_sizes.py"),
        (str(BIN / "mypy"),),
    ],
    ids=["ruff", "module-size", "mypy-strict"],
)
def test_house_rule(cmd: tuple[str, ...]) -> None:
    if not Path(cmd[0]).exists():
        pytest.skip(f"{cmd[0]} not installed (pip install -e '.[dev]')")
    proc = _run(*cmd)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
