"""VideoSource: timestamps, frame selection, loop, scaling, pacing, errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from kuzet.config.cameras import SourceConfig
from kuzet.core.errors import SourceUnavailable
from kuzet.core.types import CameraState
from kuzet.ingest import VideoSource

VideoFactory = Callable[..., Path]  # the make_video fixture, see conftest.py


def _source(path: Path, fps: float = 10, width: int = 64, **cfg: object) -> VideoSource:
    config = SourceConfig.model_validate({"url": str(path), "pace": "fast", **cfg})
    return VideoSource("cam", config, fps=fps, width=width)


@pytest.mark.parametrize(
    ("src_fps", "frames", "fps", "seqs", "step"),
    [
        (10, 64, 5, list(range(0, 64, 2)), 0.2),  # every second frame
        (10, 64, 10, list(range(64)), 0.1),  # all frames
        (10, 64, 30, list(range(64)), 0.1),  # asking for more than there is
        (10, 64, 2.5, list(range(0, 64, 4)), 0.4),
        (15, 30, 5, list(range(0, 30, 3)), 0.2),
    ],
)
def test_frames_are_chosen_by_timestamp(
    make_video: VideoFactory, src_fps: int, frames: int, fps: float, seqs: list[int], step: float
) -> None:
    path = make_video(frames=frames, fps=src_fps)
    got = list(_source(path, fps=fps).frames())
    assert [f.seq for f in got] == seqs
    np.testing.assert_allclose([f.ts for f in got], np.arange(len(seqs)) * step, atol=1e-6)
    assert all(f.camera_id == "cam" and f.image.dtype == np.uint8 for f in got)


def test_loop_keeps_seq_and_ts_increasing(make_video: VideoFactory) -> None:
    path = make_video(frames=20, fps=10)
    got = []
    for frame in _source(path, fps=10, loop=True).frames():
        got.append(frame)
        if len(got) == 50:
            break
    assert [f.seq for f in got] == list(range(50))
    np.testing.assert_allclose([f.ts for f in got], np.arange(50) * 0.1, atol=1e-6)


def test_fast_paced_file_frames_carry_video_time_as_wall_time(make_video: VideoFactory) -> None:
    # analysed flat out, 3 s of video take far less than 3 s: event times must
    # still read as video time
    got = list(_source(make_video(frames=30, fps=10), fps=10).frames())
    offsets = [f.wall - f.ts for f in got]
    assert max(offsets) - min(offsets) < 1e-6
    assert got[-1].wall - got[0].wall == pytest.approx(2.9)


@pytest.mark.parametrize(
    ("size", "width", "shape"),
    [((64, 48), 32, (24, 32)), ((64, 48), 128, (96, 128)), ((160, 90), 100, (56, 100))],
)
def test_frames_are_scaled_to_the_analysis_width(
    make_video: VideoFactory, size: tuple[int, int], width: int, shape: tuple[int, int]
) -> None:
    frame = next(iter(_source(make_video(frames=3, size=size), width=width).frames()))
    assert frame.shape == shape and frame.image.shape == (*shape, 3)
    assert frame.shape[0] % 2 == 0


def test_realtime_pacing_follows_the_timestamps(make_video: VideoFactory) -> None:
    path = make_video(frames=10, fps=10)  # 1 s of video; last frame at 0.9 s
    started = time.monotonic()
    got = list(_source(path, fps=10, pace="realtime").frames())
    elapsed = time.monotonic() - started
    assert len(got) == 10
    assert 0.8 <= elapsed <= 2.0


def test_close_interrupts_realtime_pacing(make_video: VideoFactory) -> None:
    source = _source(make_video(frames=64, fps=2), fps=2, pace="realtime")  # 32 s of video
    threading.Timer(0.5, source.close).start()
    started = time.monotonic()
    got = list(source.frames())
    assert time.monotonic() - started < 1.5
    assert 1 <= len(got) <= 3


def test_health_is_online_while_decoding(make_video: VideoFactory) -> None:
    source = _source(make_video(frames=5))
    assert source.health.state is CameraState.STARTING
    list(source.frames())
    assert source.health.state is CameraState.ONLINE
    assert source.health.last_frame_wall is not None


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "clip.mp4"
    with pytest.raises(SourceUnavailable, match=str(missing)):
        list(_source(missing).frames())


def test_a_file_that_is_not_video_is_unavailable(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video" * 100)
    with pytest.raises(SourceUnavailable, match="junk.mp4"):
        list(_source(junk).frames())


def test_real_sample_at_5_fps(vtest: Path) -> None:
    got = list(_source(vtest, fps=5, width=640).frames())
    assert len(got) == 398  # 795 frames at 10 fps
    assert got[0].shape == (480, 640)
    np.testing.assert_allclose(np.diff([f.ts for f in got]), 0.2, atol=1e-6)
    assert [f.seq for f in got[:3]] == [0, 2, 4]


def _raw_m4v(path: Path, frames: int = 50) -> Path:
    # An elementary stream: no duration in any header, so only decoding can tell.
    import av

    with av.open(str(path), "w", format="m4v") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            image = np.full((48, 64, 3), i, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


# (limits, words in the refusal); before, any frame size and length was decoded
# (a file camera or `kuzet analyze` given an oversized file ate memory; issue 14)
LIMITS = [
    ({"max_pixels": 64 * 48 - 1},
     "has 64x48 frames (3072 pixels); the limit is source.max_pixels = 3071"),
    ({"max_duration": 3}, "declares 6 s of video; the limit is source.max_duration = 3 s"),
]  # fmt: skip


@pytest.mark.parametrize(("limits", "words"), LIMITS)
def test_a_source_over_a_limit_is_refused_naming_camera_and_file(
    make_video: VideoFactory, limits: dict[str, object], words: str
) -> None:
    from kuzet.ingest.source import SourceRejected

    path = make_video(frames=60, fps=10)
    with pytest.raises(SourceRejected) as caught:
        next(_source(path, **limits).frames())
    assert str(caught.value) == f"camera cam: {path} {words}"


def test_a_file_without_a_declared_duration_is_stopped_while_decoding(tmp_path: Path) -> None:
    from kuzet.ingest.source import SourceRejected

    path = _raw_m4v(tmp_path / "raw.m4v")
    assert len(list(_source(path).frames())) == 50  # under the default limit: all of it
    seen: list[float] = []
    with pytest.raises(SourceRejected, match="runs past 2 s of video; the limit is source.max"):
        for frame in _source(path, max_duration=1.9).frames():
            seen.append(frame.ts)
    assert seen and max(seen) <= 1.9
