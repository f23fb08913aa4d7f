"""Real footage for recording tests: vtest.avi (MPEG-4 part 2) and an H.264 copy of it."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from record_media import H264_FRAMES, RecordFile

from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.ingest import VideoSource
from kuzet.record import Recorder, Segment


@pytest.fixture(scope="session")
def h264_video(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 12 s of vtest.avi encoded to H.264 in MP4, keyframe every 10 frames."""
    path = tmp_path_factory.mktemp("h264") / "vtest_h264.mp4"
    with av.open(str(sample_video)) as src, av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 768, 576, "yuv420p"
        stream.codec_context.gop_size = 10
        stream.options = {"preset": "ultrafast", "crf": "30", "sc_threshold": "0"}
        for i, frame in enumerate(src.decode(video=0)):
            if i >= H264_FRAMES:
                break
            frame.pts = None
            out.mux(stream.encode(frame.reformat(format="yuv420p")))
        out.mux(stream.encode(None))
    return path


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
