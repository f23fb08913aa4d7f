"""``kuzet export create`` (a real subprocess on a real SQLite file and real recordings):
each clip spans its camera's own ``record.pre_s``/``post_s`` when a config is given."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.ingest import VideoSource
from kuzet.record import Recorder, Segment
from kuzet.record.index import SegmentIndex
from kuzet.store import open_store

CONFIG = """\
version: 1
record: {{enabled: true, pre_s: 5, post_s: 5}}
cameras:
  gate:
    source: {{url: {video}}}
    record: {{pre_s: 1, post_s: 0.5}}
"""


@pytest.fixture
def data_dir(tmp_path: Path, h264_video: Path) -> tuple[Path, datetime]:
    """12 s of camera gate recorded and indexed; event ev-1 from 4 s to 7 s."""
    segments: list[Segment] = []
    recorder = Recorder("gate", RecordConfig(enabled=True, segment_s=3.0), tmp_path / "media",
                        segments.append)
    for _ in VideoSource("gate", SourceConfig(url=str(h264_video), pace="fast"), 5, 160,
                         tap=recorder).frames():
        pass
    store = open_store(None, tmp_path)
    index = SegmentIndex(store.engine)
    for segment in segments:
        index.add(segment)
    t0 = segments[0].start
    store.events.upsert(Event("ev-1", "gate", EventKind.LOITERING, "r", EventPhase.CLOSE,
                              t0 + timedelta(seconds=4), Severity.ALERT,
                              t0 + timedelta(seconds=7)))
    store.close()
    (tmp_path / "kuzet.yml").write_text(CONFIG.format(video=h264_video))
    return tmp_path, t0


@pytest.mark.parametrize(
    ("with_config", "pre_s", "post_s"),
    [(False, 5.0, 5.0), (True, 1.0, 0.5)],  # defaults without a config; the camera's own with
)
def test_export_clip_spans_the_cameras_pre_and_post(
    data_dir: tuple[Path, datetime], with_config: bool, pre_s: float, post_s: float
) -> None:
    folder, t0 = data_dir
    out = folder / "export.zip"
    command = [sys.executable, "-m", "kuzet.cli", "export", "create", "--event", "ev-1",
               "--reason", "case 12 review", "--unredacted", "court order 12",
               "--out", str(out), "--data-dir", str(folder)]
    command += ["--config", str(folder / "kuzet.yml")] if with_config else []
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        clip = json.loads(archive.read("clips.json"))["clips"][0]
    span = clip["span"]
    start = datetime.fromisoformat(span["start"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(span["end"].replace("Z", "+00:00"))
    assert (t0 + timedelta(seconds=4) - start).total_seconds() == pytest.approx(pre_s, abs=1e-3)
    assert (end - t0 - timedelta(seconds=7)).total_seconds() == pytest.approx(post_s, abs=1e-3)
    verify = [sys.executable, "-m", "kuzet.cli", "export", "verify", str(out)]
    assert subprocess.run(verify, capture_output=True, check=False).returncode == 0
