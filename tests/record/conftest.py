"""Recording test fixtures (the H.264 copy of vtest.avi is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from record_media import RecordFile

from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.ingest import VideoSource
from kuzet.record import Recorder, Segment


@pytest.fixture
def record_file(tmp_path: Path) -> RecordFile:
    """Record a file through a real ``VideoSource`` (fast pace); returns (segments, recorder)."""

    def run(video: Path, **cfg: object) -> tuple[list[Segment], Recorder]:
        segments: list[Segment] = []
        settings = RecordConfig(enabled=True, **cfg)  # type: ignore[arg-type]
        recorder = Recorder("cam", settings, tmp_path / "media", segments.append)
        source = VideoSource("cam", SourceConfig(url=str(video), pace="fast"), 5, 320, tap=recorder)
        for _ in source.frames():
            pass
        return segments, recorder

    return run
