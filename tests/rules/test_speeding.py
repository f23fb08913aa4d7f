"""speeding: the speed estimator, the limit with its uncertainty, zones, classes, forget."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from factories import FRAME_SHAPE, box_at, make_detections, make_observation
from kuzet.config.calibration import CalibrationConfig
from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules.speeding import SpeedingRuleConfig
from kuzet.core.types import Event, EventKind, EventPhase
from kuzet.rules.speeding import SpeedingRule, calibration_fit, fit_speed

H, W = FRAME_SHAPE  # 480 x 640
# A top-down view for simple numbers: 1 relative unit = 64 m across, 48 m along
# (10 px per metre at 640x480); Y grows down the image.
CALIBRATION = CalibrationConfig.model_validate({"points": [
    {"image": (0, 0), "ground": (0, 0)}, {"image": (1, 0), "ground": (64, 0)},
    {"image": (1, 1), "ground": (64, 48)}, {"image": (0, 1), "ground": (0, 48)},
]})
LOWER_HALF = ZoneConfig(points=[(0, 0.5), (1, 0.5), (1, 1), (0, 1)])


@pytest.mark.parametrize(
    ("ts", "xy", "rel", "kmh", "sigma_max"),
    [
        ([0, 0.5, 1.0], [(0, 0), (5, 0), (10, 0)], 0.0, 36.0, 1e-6),
        ([0, 0.2, 0.4, 0.6], [(0, 0), (0, 4), (0, 8), (0, 12)], 0.0, 72.0, 1e-6),
        ([0, 0.5, 1.0], [(0, 0), (3, 4), (6, 8)], 0.0, 36.0, 1e-6),  # diagonal: 5 m per 0.5 s
        ([0, 0.5, 1.0], [(0, 0), (5, 0), (10, 0)], 0.05, 36.0, 1.81),  # 5% scale error
        ([0, 0.1, 0.2, 0.3, 0.4], [(0, 0), (1.2, 0), (1.8, 0), (3.3, 0), (3.9, 0)], 0.0, 36.0, 6.0),
    ],
)
def test_fit_speed(ts: list[float], xy: list, rel: float, kmh: float, sigma_max: float) -> None:
    speed = fit_speed(ts, xy, rel)
    assert speed.kmh == pytest.approx(kmh, rel=0.02)
    assert speed.sigma_kmh <= sigma_max
    if rel:
        assert speed.sigma_kmh == pytest.approx(kmh * rel, rel=0.01)


def test_jittery_positions_give_a_larger_uncertainty() -> None:
    smooth = fit_speed([0, 0.1, 0.2, 0.3, 0.4], [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)])
    jitter = fit_speed([0, 0.1, 0.2, 0.3, 0.4], [(0, 0), (1.3, 0), (1.7, 0), (3.3, 0), (3.8, 0)])
    assert smooth.sigma_mps == pytest.approx(0, abs=1e-9)
    assert jitter.sigma_mps > 0.5


@pytest.mark.parametrize(("ts", "xy"), [([0, 1], [(0, 0), (1, 0)]), ([1, 1, 1], [(0, 0)] * 3)])
def test_fit_speed_refuses_too_little(ts: list[float], xy: list) -> None:
    with pytest.raises(ValueError):
        fit_speed(ts, xy)


def _rule(**cfg: Any) -> SpeedingRule:
    settings = {"id": "fast", "zone": "lower", "limit_kmh": 50.0, **cfg}
    return SpeedingRule("cam", SpeedingRuleConfig(**settings), LOWER_HALF,
                        calibration_fit(CALIBRATION), FRAME_SHAPE)


def _drive(rule: SpeedingRule, mps: float, *, cls: str = "car",
           y0: float = 260.0, steps: int = 10, dt: float = 0.2) -> list[Event]:
    # A vehicle moving down the image at `mps` (10 px per metre).
    events: list[Event] = []
    for k in range(steps):
        y = y0 + 10.0 * mps * k * dt
        if y > H:
            break
        dets = make_detections([box_at(320, y)], classes=cls, track_ids=[1])
        events.extend(rule.update(make_observation(dets, ts=k * dt)))
    return events


@pytest.mark.parametrize(
    ("mps", "cfg", "cls", "y0", "raised"),
    [
        pytest.param(20.0, {}, "car", 260.0, True, id="72kmh-over-50"),
        pytest.param(12.0, {}, "car", 260.0, False, id="43kmh-under-50"),
        pytest.param(20.0, {"limit_kmh": 80}, "car", 260.0, False, id="72kmh-under-80"),
        pytest.param(20.0, {}, "person", 260.0, False, id="unwatched-class"),
        # 20 -> 220 px: always in the upper half, outside the zone
        pytest.param(5.0, {"limit_kmh": 10}, "car", 20.0, False, id="outside-the-zone"),
        pytest.param(14.5, {"confidence": 0}, "car", 260.0, True, id="52kmh-estimate-over"),
    ],
)
def test_speeding_events(mps: float, cfg: dict[str, Any], cls: str, y0: float,
                         raised: bool) -> None:
    events = _drive(_rule(**cfg), mps, cls=cls, y0=y0)
    assert bool(events) is raised
    if raised:
        assert [e.phase for e in events] == [EventPhase.OPEN, EventPhase.CLOSE]
        assert events[0].kind is EventKind.SPEEDING
        assert events[0].attrs["speed_kmh"] == pytest.approx(3.6 * mps, rel=0.02)
        assert events[0].attrs["limit_kmh"] == cfg.get("limit_kmh", 50.0)
        assert "uncertainty_kmh" in events[0].attrs


def test_once_per_track_and_forget_prunes() -> None:
    rule = _rule()
    assert len(_drive(rule, 20.0, steps=6)) == 2  # open + close, once
    assert rule.speed_of(1) is not None
    rule.forget(1)
    assert rule.speed_of(1) is None and not rule._flagged and not rule._paths


def test_speed_of_needs_min_span() -> None:
    rule = _rule(min_span=1.0)
    _drive(rule, 10.0, steps=4, dt=0.2)  # 0.6 s of positions
    assert rule.speed_of(1) is None
    assert np.isfinite(_rule().speed_of(1) or 0.0)
