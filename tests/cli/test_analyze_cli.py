"""`kuzet analyze` end to end: real decoding, real detector, real SQLite store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.models
def test_analyze_writes_events_and_prints_json(
    sample_video: Path, nanodet_installed: Path, tmp_path: Path
) -> None:
    cmd = [
        sys.executable,
        "-m",
        "kuzet.cli",
        "analyze",
        str(sample_video),
        "--config",
        str(REPO / "examples" / "demo.yml"),
        "--camera",
        "plaza_1",
        "--data-dir",
        str(tmp_path),
        "--json",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["frames"] >= 350  # 79.5 s at 5 analysed frames/s
    assert summary["events_total"] >= 1
    assert summary["events_total"] == len(summary["events"])
    assert {e["kind"] for e in summary["events"]} == {"zone_presence"}
    assert all(e["ended_at"] for e in summary["events"]), "events close by the end of the file"

    from kuzet.store import open_store
    from kuzet.store.events import EventQuery

    store = open_store(None, tmp_path)
    try:
        stored = store.events.list(EventQuery(cameras=["plaza_1"], limit=500)).items
    finally:
        store.close()
    assert {e.id for e in stored} == {e["id"] for e in summary["events"]}
    assert all(e.status == "closed" and e.snapshot_key for e in stored)


def test_analyze_missing_video_is_a_clear_error(tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        "-m",
        "kuzet.cli",
        "analyze",
        str(tmp_path / "nope.mp4"),
        "--config",
        str(REPO / "examples" / "demo.yml"),
        "--data-dir",
        str(tmp_path),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert "nope.mp4" in proc.stderr
