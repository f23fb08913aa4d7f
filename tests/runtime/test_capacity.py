"""Honest capacity (issue 20): a camera analysing below its configured rate says so."""

from __future__ import annotations

import time
from pathlib import Path

import av
import numpy as np
import pytest

from factories import running_supervisor
from kuzet.config.root import KuzetConfig
from kuzet.core.types import CameraState
from kuzet.runtime.capacity import RateWatch, shortfall_reason


def _feed(watch: RateWatch, fps: float, seconds: float, start: float = 0.0,
          count: int = 0) -> tuple[float | None, float, int]:
    """Health ticks once a second with a camera analysing ``fps``."""
    result, t = None, start
    for _ in range(int(seconds)):
        t += 1.0
        count += int(fps)
        result = watch.update(t, count)
    return result, t, count


@pytest.mark.parametrize(
    ("achieved", "short"),
    [(5.0, False), (4.0, False), (3.0, True), (0.0, True)],
)
def test_rate_watch_reports_a_shortfall_below_the_target(achieved: float, short: bool) -> None:
    result, _, _ = _feed(RateWatch(target_fps=4.0), achieved, 15)
    assert (result is not None) is short
    if short:
        assert result == pytest.approx(achieved)


def test_rate_watch_waits_for_a_whole_window_and_recovers_with_hysteresis() -> None:
    watch = RateWatch(target_fps=10.0, window_s=10.0)
    result, t, n = _feed(watch, 2, 9)
    assert result is None  # not a whole window yet
    result, t, n = _feed(watch, 2, 3, t, n)
    assert result == pytest.approx(2.0)
    result, t, n = _feed(watch, 9, 12, t, n)  # 90%: enough to stay fine, not to recover
    assert result == pytest.approx(9.0)
    result, t, n = _feed(watch, 10, 12, t, n)
    assert result is None
    watch.reset()
    assert watch.update(t + 1, n) is None


def test_reason_names_the_rate_and_the_limit() -> None:
    assert shortfall_reason(3.08, 5, 25) == "analysing 3.1 fps of 5 configured (box over capacity)"
    assert "camera sends fewer" in shortfall_reason(4.0, 8, 4.0)


def _clip(path: Path, fps: int, seconds: int) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(fps * seconds):
            image = np.full((120, 160, 3), 40 + (i * 7) % 150, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.mark.models
def test_a_camera_analysing_below_its_rate_reports_degraded_with_the_rate(
    nanodet_installed: Path, tmp_path: Path
) -> None:
    # The source sends 4 frames a second; detect.fps asks for 8: the worker can analyse
    # at most 4, and must not call that `online`.
    clip = _clip(tmp_path / "four_fps.mp4", fps=4, seconds=6)
    source = {"url": str(clip), "loop": True, "pace": "realtime"}
    config = KuzetConfig.model_validate({
        "cameras": {"slow": {"source": source, "detect": {"fps": 8, "width": 160}}},
    })
    with running_supervisor(config, tmp_path / "media") as (sup, _):
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            health = {h.camera_id: h for h in sup.camera_health()}.get("slow")
            if health is not None and health.reason.startswith("analysing"):
                break
            time.sleep(0.5)
    assert health is not None and health.state is CameraState.DEGRADED, health
    assert "of 8 configured (the camera sends fewer)" in health.reason
    achieved = float(health.reason.split()[1])  # "analysing 4.0 fps of 8 ..." (10 s mean)
    assert 2.0 <= achieved <= 4.5, health.reason
