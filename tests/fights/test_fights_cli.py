"""``kuzet eval|train fights`` end to end on real clips (skips without the data)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared/data/fight"


def _kuzet(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "kuzet.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 fight + 4 noFight clips of the Surveillance Camera Fight Dataset (symlinks)."""
    from kuzet.models.paths import find_model

    if not (DATA / "fight").is_dir():
        pytest.skip(f"fight data set not found at {DATA}")
    if find_model("movenet-multipose") is None:
        pytest.skip("model pack not installed (run `kuzet models install`)")
    root = tmp_path_factory.mktemp("fights")
    for sub in ("fight", "noFight"):
        (root / sub).mkdir()
        for clip in sorted((DATA / sub).glob("*.mp4"))[:4]:
            (root / sub / clip.name).symlink_to(clip)
    return root


@pytest.mark.shared
@pytest.mark.models
def test_eval_fights_json(subset: Path) -> None:
    proc = _kuzet("eval", "fights", str(subset), "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("accuracy", "precision", "recall", "f1", "roc_auc", "clips", "ms_per_clip",
                "confusion", "threshold"):
        assert key in summary, key
    assert summary["clips"] == 8 and summary["skipped"] == []
    assert 0 <= summary["accuracy"] <= 1 and summary["ms_per_clip"] > 0
    assert sum(summary["confusion"].values()) == 8
    assert all(row["windows"] >= 3 for row in summary["per_clip"]), summary["per_clip"]
    # On the training data the shipped model should get most of these right.
    assert summary["accuracy"] >= 0.75, summary


def test_missing_folders_exit_2(tmp_path: Path) -> None:
    (tmp_path / "fight").mkdir()
    (tmp_path / "fight" / "a.mp4").write_bytes(b"x")
    for args in (("eval", "fights", str(tmp_path)), ("train", "fights", str(tmp_path))):
        proc = _kuzet(*args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "noFight" in proc.stderr
