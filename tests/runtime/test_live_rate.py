"""Camera workers render live frames at the rate their watchers ask, not more, and
none while nobody watches (real supervisor, camera worker and detector processes)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from factories import running_supervisor
from kuzet.config.root import KuzetConfig
from kuzet.runtime.supervisor import Supervisor

pytestmark = pytest.mark.models
CAM = "cam_a"


@pytest.fixture
def supervisor(sample_video: Path, nanodet_installed: Path, tmp_path: Path) -> Iterator[Supervisor]:
    source = {"url": str(sample_video), "loop": True, "pace": "realtime"}
    config = KuzetConfig.model_validate({
        "api": {"live_fps": 10},
        "detect": {"fps": 10, "width": 320},
        "cameras": {CAM: {"source": source}},
    })
    with running_supervisor(config, tmp_path / "media") as (sup, _events):
        yield sup


def _rendered(sup: Supervisor, seconds: float) -> float:
    """Live frames a second the camera sent over ``seconds`` (new sequence numbers)."""
    seen: set[int] = set()
    first = sup.latest_jpeg(CAM, redacted=False)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        latest = sup.latest_jpeg(CAM, redacted=False)
        if latest is not None and (first is None or latest[0] != first[0]):
            seen.add(latest[0])
        time.sleep(0.02)
    return len(seen) / seconds


def test_live_frames_follow_the_rate_the_watchers_ask(supervisor: Supervisor) -> None:
    deadline = time.monotonic() + 90
    with supervisor.watch(CAM, 0.5):  # slower than the detector runs even on a loaded box
        while supervisor.latest_jpeg(CAM, redacted=False) is None:
            assert time.monotonic() < deadline, "no live frame"
            time.sleep(0.2)
        slow = _rendered(supervisor, 6.0)
        with supervisor.watch(CAM, 10.0):  # a full-screen MJPEG viewer joins: its rate wins
            full = _rendered(supervisor, 6.0)
        after = _rendered(supervisor, 6.0)  # back to the slow watcher's rate
    time.sleep(0.5)
    idle = _rendered(supervisor, 3.0)  # nobody watches: nothing is rendered
    assert 0.3 <= slow <= 0.7, slow
    assert 0.3 <= after <= 0.7, after
    assert full >= 2 * slow, (full, slow)
    assert idle == 0, idle
