"""Timestamp mapping, timestamp-based frame selection, sizes, URL handling."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kuzet.config.cameras import SourceConfig
from kuzet.ingest import is_stream_url, open_options, redact_url
from kuzet.ingest.timing import FrameSampler, Timeline, scaled_size


@pytest.mark.parametrize(
    ("src_fps", "fps", "n", "expected"),
    [
        (10, 5, 10, [0.0, 0.2, 0.4, 0.6, 0.8]),
        (7.5, 5, 8, [0.0, 0.2667, 0.4, 0.6667, 0.8]),  # evenly spaced on average
        (30, 10, 9, [0.0, 0.1, 0.2]),
        (10, 20, 3, [0.0, 0.1, 0.2]),
    ],
)
def test_sampler_keeps_timestamp_spaced_frames(
    src_fps: float, fps: float, n: int, expected: list[float]
) -> None:
    sampler = FrameSampler(fps, src_fps)
    kept = [round(i / src_fps, 4) for i in range(n) if sampler.keep(i / src_fps)]
    assert kept == expected


def test_sampler_tolerates_jitter_and_gaps() -> None:
    sampler = FrameSampler(5, 10)
    stamps = [0.0, 0.1, 0.199, 0.31, 0.401, 3.0, 3.1, 3.2]
    assert [t for t in stamps if sampler.keep(t)] == [0.0, 0.199, 0.401, 3.0, 3.2]
    with pytest.raises(ValueError):
        FrameSampler(0)


def test_timeline_pts_loops_and_fallbacks() -> None:
    tb = Fraction(1, 1000)
    line = Timeline(rate=10, live=False)
    line.start_pass()
    assert [line.stamp(p, tb, 0.0) for p in (500, 600, 700)] == pytest.approx([0.0, 0.1, 0.2])
    line.start_pass()  # loop: continues one period after the last frame
    assert line.stamp(0, tb, 0.0) == pytest.approx(0.3)
    assert line.stamp(None, None, 0.0) == pytest.approx(0.4)  # no PTS: index / rate
    assert line.stamp(900, tb, 0.0) == pytest.approx(1.2)
    assert line.stamp(0, tb, 0.0) == pytest.approx(1.3)  # PTS went back: re-anchored


@pytest.mark.parametrize(
    ("pts", "expected"),
    [
        # decode-order PTS of an AVI with packed B-frames: the clock is kept
        ([1, 4, 6, 5, 7, 9, 8, 10], [0.0, 0.3, 0.5, 0.501, 0.6, 0.8, 0.801, 0.9]),
        # a real jump back (more than 3 periods) still re-anchors
        ([0, 1, 2, 10, 11, 2, 3], [0.0, 0.1, 0.2, 1.0, 1.1, 1.2, 1.3]),
    ],
)
def test_timeline_reordered_file_pts_keep_the_clock(pts: list[int], expected: list[float]) -> None:
    line = Timeline(rate=10, live=False)
    line.start_pass()
    stamps = [line.stamp(p, Fraction(1, 10), 0.0) for p in pts]
    assert stamps == pytest.approx(expected)


def test_timeline_live_jump_follows_the_wall_clock() -> None:
    line = Timeline(rate=None, live=True)
    line.start_pass()
    tb = Fraction(1, 90000)
    assert line.stamp(90000, tb, 1000.0) == 0.0
    assert line.stamp(99000, tb, 1000.1) == pytest.approx(0.1)
    # the encoder restarted its clock 1 h ahead; 0.1 s really passed
    assert line.stamp(90000 * 3600, tb, 1000.2) == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("src", "width", "sar", "expected"),
    [
        ((768, 576), 640, 1.0, (640, 480)),
        ((1920, 1080), 640, 1.0, (640, 360)),
        ((1920, 1080), 500, 1.0, (500, 282)),
        ((720, 576), 640, 16 / 15, (640, 480)),  # anamorphic PAL 4:3
    ],
)
def test_scaled_size(
    src: tuple[int, int], width: int, sar: float, expected: tuple[int, int]
) -> None:
    assert scaled_size(*src, width, sar) == expected


@pytest.mark.parametrize(
    ("url", "stream", "keys"),
    [
        ("rtsp://cam/1", True, {"rtsp_transport", "timeout", "rw_timeout", "fflags"}),
        ("rtmp://cam/live", True, {"rw_timeout", "fflags"}),  # rtmp timeout = listen mode
        ("https://cam/x.m3u8", True, {"timeout", "rw_timeout", "fflags"}),
        ("/videos/a.mp4", False, set()),
        ("C:/videos/a.mp4", False, set()),
    ],
)
def test_open_options(url: str, stream: bool, keys: set[str]) -> None:
    assert is_stream_url(url) is stream
    options = open_options(SourceConfig(url=url, timeout=2.5))
    assert set(options) == keys
    if "timeout" in options:
        assert options["timeout"] == "2500000"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://admin:pw@10.0.0.5:554/s1", "rtsp://admin:***@10.0.0.5:554/s1"),
        ("rtsp://10.0.0.5/s1", "rtsp://10.0.0.5/s1"),
        ("rtsp://user@10.0.0.5/s1", "rtsp://user@10.0.0.5/s1"),
        ("/data/a@b.mp4", "/data/a@b.mp4"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
