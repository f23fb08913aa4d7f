"""camera_tamper: defocus, occlusion and scene change, each its own rule; signal loss
from camera health; none on an untouched scene."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from factories import make_observation
from kuzet.config.cameras import CameraConfig
from kuzet.config.rules import CameraTamperRuleConfig
from kuzet.core.types import CameraHealth, CameraState, Event, EventPhase, Image, Observation
from kuzet.motion.tamper import tamper_signals
from kuzet.rules.camera_tamper import CameraTamperRule
from kuzet.runtime.signal_loss import SignalLossMonitor

TYPES = ("defocus", "occlusion", "scene_change")


def _scene() -> Image:
    rng = np.random.default_rng(5)
    big = cv2.resize(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8), (320, 240))
    return np.asarray(cv2.GaussianBlur(big, (3, 3), 0), np.uint8)


def blur(img: Image) -> Image:
    return np.asarray(cv2.GaussianBlur(img, (17, 17), 0), np.uint8)


def cover(img: Image) -> Image:
    return np.full_like(img, 12)


def shift(img: Image) -> Image:
    return np.roll(img, (45, 70), axis=(0, 1))


def _noise(img: Image, i: int) -> Image:
    rng = np.random.default_rng(i)
    return np.clip(img + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)


def run_tamper(frames: list[tuple[float, Image]], camera_id: str = "cam") -> list[Event]:
    """All three frame-based tamper rules over (ts, image) frames."""
    rules = [CameraTamperRule(camera_id, CameraTamperRuleConfig(id=t, tamper=t)) for t in TYPES]
    events: list[Event] = []
    for ts, image in frames:
        base = make_observation(ts=ts, camera_id=camera_id)
        fields = {f: getattr(base, f) for f in base.__slots__}
        obs = Observation(**{**fields, "tamper": tamper_signals(image)})
        for rule in rules:
            events.extend(rule.update(obs))
    return events


Edit = Callable[[Image], Image]
CASES: dict[str, tuple[Edit | None, str | None]] = {
    "untouched": (None, None),
    "blurred": (blur, "defocus"),
    "covered": (cover, "occlusion"),
    "turned": (shift, "scene_change"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_synthetic_tamper(name: str) -> None:
    edit, expected = CASES[name]
    scene = _scene()
    frames = []
    for i in range(150):  # 30 s at 5 fps; tampered from 10 s to 20 s
        ts = i * 0.2
        image = edit(scene) if edit is not None and 10 <= ts < 20 else scene
        frames.append((ts, _noise(image, i)))
    events = run_tamper(frames)
    opened = [e.attrs["tamper"] for e in events if e.phase is EventPhase.OPEN]
    assert opened == ([] if expected is None else [expected])
    if expected is not None:
        first = next(e for e in events if e.phase is EventPhase.OPEN)
        assert first.rule_id == expected and 13 <= first.frame_ts < 14
        assert any(e.phase is EventPhase.CLOSE for e in events)


def test_signal_loss_opens_after_silence_and_closes_when_frames_return() -> None:
    cam = CameraConfig.model_validate(
        {
            "source": {"url": "rtsp://x/1"},
            "rules": [{"id": "lost", "kind": "camera_tamper", "tamper": "signal_loss",
                       "signal_loss_after": 10}],
        }
    )
    mon = SignalLossMonitor("cam", cam, started=1000.0)
    online = CameraHealth("cam", CameraState.ONLINE, last_frame_wall=1001.0)
    offline = CameraHealth("cam", CameraState.OFFLINE, "connection refused", 1001.0)
    assert mon.check(online, 1005.0) == []
    assert mon.check(offline, 1010.0) == []
    (opened,) = mon.check(offline, 1012.0)
    assert opened.attrs["tamper"] == "signal_loss" and opened.rule_id == "lost"
    assert opened.attrs["reason"] == "connection refused"
    assert mon.check(offline, 1020.0) == []
    back = CameraHealth("cam", CameraState.ONLINE, last_frame_wall=1030.0)
    (closed,) = mon.check(back, 1030.5)
    assert closed.phase is EventPhase.CLOSE and closed.id == opened.id


def test_camera_without_signal_loss_rule_is_not_watched() -> None:
    cam = CameraConfig.model_validate({"source": {"url": "a.mp4"}})
    mon = SignalLossMonitor("cam", cam, started=0.0)
    assert not mon.active and mon.check(None, 100.0) == []


def test_signal_loss_times_start_at_the_silence_and_never_end_before_they_start() -> None:
    # Issue 14 finding 8: a start-up event ended before it started; since_frame_s was wrong.
    cam = CameraConfig.model_validate({
        "source": {"url": "rtsp://x/1"},
        "rules": [{"id": "lost", "kind": "camera_tamper", "tamper": "signal_loss",
                   "signal_loss_after": 5}],
    })  # fmt: skip
    mon = SignalLossMonitor("cam", cam, started=1000.0)
    (opened,) = mon.check(None, 1007.0)  # no frame yet, 7 s after start
    assert opened.started_at.timestamp() == 1005.0  # lost once 5 s had passed
    assert opened.attrs["since_frame_s"] == 7.0
    late = CameraHealth("cam", CameraState.ONLINE, last_frame_wall=1004.0)  # reported late
    (closed,) = mon.check(late, 1007.5)
    assert closed.ended_at is not None and closed.ended_at >= opened.started_at


def test_a_restarted_worker_counts_silence_from_its_last_frame() -> None:
    cam = CameraConfig.model_validate({
        "source": {"url": "rtsp://x/1"},
        "rules": [{"id": "lost", "kind": "camera_tamper", "tamper": "signal_loss",
                   "signal_loss_after": 5}],
    })  # fmt: skip
    mon = SignalLossMonitor("cam", cam, started=1000.0)
    # The supervisor keeps the last frame's time across a worker restart (processes.py).
    restarting = CameraHealth("cam", CameraState.STARTING, "worker restarted", 1500.0)
    assert mon.check(restarting, 1503.0) == [], "a 3 s restart is not a 5 s signal loss"
    (opened,) = mon.check(restarting, 1505.5)
    assert opened.attrs["since_frame_s"] == 5.5
