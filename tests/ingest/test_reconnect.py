"""ReconnectingSource: backoff, health, prompt close, continuity across reopenings."""

from __future__ import annotations

import functools
import http.server
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from kuzet.config.cameras import SourceConfig
from kuzet.core.types import CameraState, Frame
from kuzet.ingest import Backoff, ReconnectingSource
from kuzet.ingest.reconnect import _Continuity

VideoFactory = Callable[..., Path]  # the make_video fixture, see conftest.py


def _cfg(url: str, **extra: object) -> SourceConfig:
    return SourceConfig.model_validate(
        {"url": url, "reconnect_initial": 0.05, "reconnect_max": 0.2, "timeout": 2, **extra}
    )


@pytest.mark.parametrize(
    ("initial", "maximum", "expected"),
    [
        (1.0, 60.0, [1, 2, 4, 8, 16, 32, 60, 60]),
        (0.5, 2.0, [0.5, 1, 2, 2, 2, 2, 2, 2]),
        (5.0, 1.0, [5, 5, 5, 5, 5, 5, 5, 5]),  # max below initial: stays at initial
    ],
)
def test_backoff_doubles_up_to_the_maximum(
    initial: float, maximum: float, expected: list[float]
) -> None:
    backoff = Backoff(initial, maximum, jitter=0.0)
    assert [backoff.next() for _ in expected] == expected
    backoff.reset()
    assert backoff.next() == initial


def test_backoff_jitter_stays_in_bounds() -> None:
    backoff = Backoff(1.0, 1.0, jitter=0.2, rng=random.Random(7))
    delays = [backoff.next() for _ in range(200)]
    assert 0.8 <= min(delays) < max(delays) <= 1.2
    with pytest.raises(ValueError):
        Backoff(0, 1)


def test_unreachable_stream_goes_offline_and_close_is_prompt() -> None:
    source = ReconnectingSource("gate", _cfg("rtsp://127.0.0.1:9/none"), fps=5, width=320)
    assert source.health.state is CameraState.STARTING
    got: list[Frame] = []
    reader = threading.Thread(target=lambda: got.extend(source.frames()))
    reader.start()
    deadline = time.monotonic() + 5
    while source.health.reconnects < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    health = source.health
    assert health.state is CameraState.OFFLINE
    assert "127.0.0.1:9" in health.reason and "retry in" in health.reason
    assert health.reconnects >= 2
    started = time.monotonic()
    source.close()
    reader.join(timeout=2)
    assert not reader.is_alive()
    assert time.monotonic() - started < 1.0
    assert got == []


def test_password_never_reaches_the_health_reason() -> None:
    source = ReconnectingSource("gate", _cfg("rtsp://admin:s3cret@127.0.0.1:9/x"), 5, 320)
    frames = source.frames()
    threading.Timer(0.5, source.close).start()
    assert list(frames) == []
    assert source.health.reason and "s3cret" not in source.health.reason


def test_missing_file_is_retried_with_a_reason(tmp_path: Path) -> None:
    missing = tmp_path / "later.mp4"
    source = ReconnectingSource("gate", _cfg(str(missing)), fps=5, width=320)
    threading.Timer(0.4, source.close).start()
    assert list(source.frames()) == []
    assert source.health.state is CameraState.OFFLINE
    assert str(missing) in source.health.reason


def test_fast_file_is_delivered_whole_then_ends(make_video: VideoFactory) -> None:
    cfg = _cfg(str(make_video(frames=30)), pace="fast")
    source = ReconnectingSource("gate", cfg, fps=10, width=64, queue_size=1)
    got = []
    for frame in source.frames():
        time.sleep(0.002)  # a slower consumer must not lose frames of a fast file
        got.append(frame.seq)
    assert got == list(range(30))
    assert source.dropped == 0
    assert source.health.state is CameraState.ONLINE


def test_continuity_across_reopenings() -> None:
    image = np.zeros((2, 2, 3), np.uint8)
    keep = _Continuity(period=0.2)
    keep.new_session()
    first = [keep.map(Frame("c", i, i * 0.2, 100 + i * 0.2, image)) for i in range(3)]
    keep.new_session()  # the stream restarted 5 s later with seq/ts from 0
    second = [keep.map(Frame("c", i, i * 0.2, 105.4 + i * 0.2, image)) for i in range(2)]
    assert [f.seq for f in first + second] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose([f.ts for f in second], [5.4, 5.6])


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    """A local HTTP server for tmp_path; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def test_stream_end_reconnects_with_increasing_seq_and_ts(
    make_video: VideoFactory, http_server: str
) -> None:
    make_video("live.ts", frames=10, fps=10)  # each HTTP "stream" ends after 1 s of video
    cfg = _cfg(f"{http_server}/live.ts", pace="fast")
    source = ReconnectingSource("gate", cfg, fps=10, width=64, queue_size=64)
    got: list[Frame] = []
    for frame in source.frames():
        got.append(frame)
        if len(got) == 25:
            source.close()
    assert len(got) == 25
    assert np.all(np.diff([f.seq for f in got]) > 0)
    assert np.all(np.diff([f.ts for f in got]) > 0)
    assert source.health.reconnects >= 2
    assert source.health.last_frame_wall is not None


def test_a_stalled_camera_is_degraded(monkeypatch: pytest.MonkeyPatch) -> None:
    source = ReconnectingSource("gate", _cfg("rtsp://127.0.0.1:9/none"), fps=5, width=320)
    source._state, source._last_wall = CameraState.ONLINE, time.time()
    assert source.health.state is CameraState.ONLINE
    monkeypatch.setattr(time, "time", lambda: source._last_wall + 10)  # type: ignore[operator]
    health = source.health
    assert health.state is CameraState.DEGRADED and "no frame for 10.0 s" in health.reason


def test_leaving_the_loop_stops_the_reader(make_video: VideoFactory) -> None:
    cfg = _cfg(str(make_video(frames=10)), pace="fast", loop=True)
    source = ReconnectingSource("gate", cfg, fps=10, width=64)
    frames = source.frames()
    for _, _frame in zip(range(3), frames, strict=False):
        pass
    frames.close()  # what `break` out of a for loop does once the generator is dropped
    assert source._thread is not None
    source._thread.join(timeout=1.0)
    assert not source._thread.is_alive()
