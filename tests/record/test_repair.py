"""A worker killed mid-segment leaves nothing that breaks playback; the index is rebuilt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from record_media import frame_count

from kuzet.record.index import SegmentIndex
from kuzet.record.repair import repair
from kuzet.record.segment import PARTIAL
from kuzet.store.db import create_db_engine, upgrade

WORKER = """
import sys, time
from pathlib import Path
from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.ingest import VideoSource
from kuzet.record import Recorder
rec = Recorder("cam", RecordConfig(enabled=True, segment_s=2.0), Path(sys.argv[2]), lambda s: None)
src = VideoSource("cam", SourceConfig(url=sys.argv[1], pace="realtime", loop=True), 5, 160, tap=rec)
for _ in src.frames():
    pass
"""


def _partials(root: Path) -> list[Path]:
    return list(root.glob(f"recordings/cam/*/{PARTIAL}*.mp4"))


def _kill_mid_segment(video: Path, root: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WORKER, str(video), str(root)])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            closed = list(root.glob("recordings/cam/*/[0-9]*.mp4"))
            partials = _partials(root)
            # mid-segment: at least one fragment of the open segment is on disk
            if len(closed) >= 2 and partials and partials[0].stat().st_size > 20_000:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the worker never wrote a partial segment")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def test_killed_worker_leaves_playable_segments(h264_video: Path, tmp_path: Path) -> None:
    root = tmp_path / "media"
    _kill_mid_segment(h264_video, root)
    assert _partials(root)  # the kill happened mid-segment
    engine = create_db_engine(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade(engine)
    index = SegmentIndex(engine)
    report = repair(root, index.keys(), index)
    assert _partials(root) == []
    assert len(report.repaired) == 1 and report.dropped == []
    assert len(report.indexed) >= 3  # the closed ones plus the salvaged one
    for key in index.keys():
        assert frame_count(root / key) > 0  # decodes to the end without an error
    again = repair(root, index.keys(), index)  # idempotent
    assert (again.repaired, again.dropped, again.indexed) == ([], [], [])
    engine.dispose()


def test_unreadable_partial_is_dropped(tmp_path: Path) -> None:
    folder = tmp_path / "recordings" / "cam" / "20261203"
    folder.mkdir(parents=True)
    (folder / f"{PARTIAL}1796305110043.mp4").write_bytes(b"\x00\x00\x00\x18ftypiso")
    engine = create_db_engine(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade(engine)
    index = SegmentIndex(engine)
    report = repair(tmp_path, index.keys(), index)
    assert report.dropped == ["recordings/cam/20261203/1796305110043.mp4"]
    assert list(folder.iterdir()) == [] and index.keys() == set()
    engine.dispose()
