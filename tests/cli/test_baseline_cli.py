"""kuzet baseline show|reset on baselines written by an unusual_crowd rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.rules.baseline import Baseline, baseline_path, save_baseline


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    for zone in ("plaza", None):
        baseline = Baseline()
        for value in (2.0, 3.0, 4.0):
            baseline.add(10, value)  # Monday 10:00
        save_baseline(baseline_path(tmp_path / "state", "gate", zone), baseline)
    return tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["baseline", *args])
    return result.exit_code, result.output


def test_show_lists_learned_hours(data_dir: Path) -> None:
    code, out = _run("show", "--camera", "gate", "--data-dir", str(data_dir))
    assert code == 0
    assert "gate__plaza: 1 of 168 hours" in out
    assert "gate___frame" in out
    assert "Mon 10:00  minutes=    3  mean=  3.00  std=  1.00" in out


@pytest.mark.parametrize(
    ("zone", "left"), [("plaza", ["gate___frame.json"]), (None, [])]
)
def test_reset_removes_files(data_dir: Path, zone: str | None, left: list[str]) -> None:
    args = ["reset", "--camera", "gate", "--data-dir", str(data_dir)]
    code, out = _run(*args, *(["--zone", zone] if zone else []))
    assert code == 0 and "removed" in out
    assert sorted(p.name for p in (data_dir / "state" / "baselines").glob("*.json")) == left


def test_show_unknown_camera_fails(data_dir: Path) -> None:
    code, out = _run("show", "--camera", "nope", "--data-dir", str(data_dir))
    assert code == 1 and "no baseline" in out
