"""Recorder: remux without re-encoding, transcode once, clean cuts, no loss, errors reported."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import av
import pytest
from record_media import H264_FRAMES, RecordFile, frame_count

from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.ingest import ReconnectingSource
from kuzet.record import Recorder, Segment


def _packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as src:
        return [bytes(p) for p in src.demux(video=0) if p.size]


def test_h264_is_remuxed_byte_for_byte(h264_video: Path, record_file: RecordFile) -> None:
    segments, recorder = record_file(h264_video, segment_s=3.0)
    root = recorder.root
    assert [s.codec for s in segments] == ["h264"] * len(segments)
    assert not any(s.transcoded for s in segments) and not recorder.health.transcoding
    assert len(segments) == 4  # 12 s in 3 s segments, cut on the 1 s keyframes
    recorded = [pkt for s in segments for pkt in _packets(root / s.key)]
    assert recorded == _packets(h264_video)  # every packet, untouched: no re-encode
    assert sum(frame_count(root / s.key) for s in segments) == H264_FRAMES
    for before, after in zip(segments, segments[1:], strict=False):
        assert abs((after.start - before.end).total_seconds()) < 0.01  # contiguous
        assert before.duration == pytest.approx(3.0, abs=0.01)


def test_mpeg4_part2_is_transcoded_to_h264(sample_video: Path, record_file: RecordFile) -> None:
    segments, recorder = record_file(sample_video, segment_s=20.0, crf=32, preset="ultrafast")
    assert recorder.health.transcoding
    assert {s.codec for s in segments} == {"h264"} and all(s.transcoded for s in segments)
    assert sum(s.duration for s in segments) == pytest.approx(79.5, abs=0.2)
    with av.open(str(recorder.root / segments[0].key)) as out:
        assert out.streams.video[0].codec_context.name == "h264"
    assert sum(frame_count(recorder.root / s.key) for s in segments) == 795


def test_each_pass_starts_a_new_segment(h264_video: Path, tmp_path: Path) -> None:
    # A looping file reopens like a reconnecting stream: no segment spans two passes.
    segments: list[Segment] = []
    recorder = Recorder(
        "cam", RecordConfig(enabled=True, segment_s=100.0), tmp_path, segments.append
    )
    source = ReconnectingSource(
        "cam",
        SourceConfig(url=str(h264_video), pace="fast", loop=True),
        5,
        320,
        queue_size=64,
        tap=recorder,
    )
    for frame in source.frames():
        if frame.ts > 30:
            source.close()
    assert len(segments) >= 2
    assert all(s.duration == pytest.approx(12.0, abs=0.01) for s in segments[:2])
    assert all(frame_count(tmp_path / s.key) == H264_FRAMES for s in segments[:2])


def test_detector_backlog_never_drops_recorded_video(h264_video: Path, tmp_path: Path) -> None:
    # Realtime pace drops analysis frames when the consumer is slow; recording keeps all.
    segments: list[Segment] = []
    recorder = Recorder("cam", RecordConfig(enabled=True, segment_s=2.0), tmp_path, segments.append)
    source = ReconnectingSource(
        "cam", SourceConfig(url=str(h264_video), pace="realtime"), 10, 160, tap=recorder
    )
    analysed = 0
    for _ in source.frames():
        analysed += 1
        time.sleep(0.5)  # an overloaded detector: 2 frames/s for a 10 fps source
    assert source.dropped > 50 and analysed < 40
    assert sum(frame_count(tmp_path / s.key) for s in segments) == H264_FRAMES


def test_write_error_is_reported_not_raised(h264_video: Path, tmp_path: Path) -> None:
    (tmp_path / "recordings").write_text("a file where the folder should be")
    segments: list[Segment] = []
    recorder = Recorder("cam", RecordConfig(enabled=True), tmp_path, segments.append)
    source = ReconnectingSource(
        "cam", SourceConfig(url=str(h264_video), pace="fast"), 5, 160, queue_size=64, tap=recorder
    )
    frames = sum(1 for _ in source.frames())
    assert frames >= 55  # analysis went on
    assert segments == []
    health = recorder.health
    assert health.state == "error" and "recording failed" in health.reason


def test_recorder_recovers_after_write_error(h264_video: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "recordings"
    blocker.write_text("x")
    clock = [1000.0]
    segments: list[Segment] = []
    recorder = Recorder(
        "cam",
        RecordConfig(enabled=True, segment_s=2.0),
        tmp_path,
        segments.append,
        clock=lambda: clock[0],
    )
    source = ReconnectingSource(
        "cam", SourceConfig(url=str(h264_video), pace="fast"), 10, 160, queue_size=256, tap=recorder
    )
    fixed = threading.Event()
    for frame in source.frames():
        if frame.ts > 4 and not fixed.is_set():
            blocker.unlink()
            clock[0] += 60  # past the retry delay
            fixed.set()
    assert segments and recorder.health.state == "recording"
