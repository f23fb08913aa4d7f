"""stopped_vehicle: still for N seconds on the carriageway, never in parking, closes on moving."""

from __future__ import annotations

from typing import Any

import pytest

from factories import FRAME_SHAPE, box_at, make_detections, make_observation
from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules.stopped_vehicle import StoppedVehicleRuleConfig
from kuzet.core.types import Event, EventKind, EventPhase
from kuzet.rules.stopped_vehicle import StoppedVehicleRule

ROAD = ZoneConfig(points=[(0, 0.5), (1, 0.5), (1, 1), (0, 1)])  # lower half
PARKING = ZoneConfig(points=[(0.8, 0.5), (1, 0.5), (1, 1), (0.8, 1)])  # its right edge

# (ts, x, bottom y) of track 1, a car
Step = tuple[float, float, float]


def _rule(parking: bool = True, **cfg: Any) -> StoppedVehicleRule:
    settings = {"id": "stop", "zone": "road", "min_duration": 5.0, **cfg}
    if parking:
        settings["exclude_zones"] = ["parking"]
    zones = (ROAD, [PARKING] if parking else [])
    return StoppedVehicleRule("cam", StoppedVehicleRuleConfig(**settings), zones, FRAME_SHAPE)


def _run(rule: StoppedVehicleRule, steps: list[Step], cls: str = "car") -> list[Event]:
    events: list[Event] = []
    for ts, x, y in steps:
        dets = make_detections([box_at(x, y)], classes=cls, track_ids=[1])
        events.extend(rule.update(make_observation(dets, ts=ts)))
    return events


def _still(x: float, y: float, t0: float, t1: float, dt: float = 0.5) -> list[Step]:
    n = int(round((t1 - t0) / dt))
    return [(t0 + k * dt, x + (k % 2), y) for k in range(n + 1)]  # 1 px jitter


@pytest.mark.parametrize(
    ("steps", "cls", "parking", "phases"),
    [
        pytest.param(_still(300, 400, 0, 6), "car", True, [EventPhase.OPEN], id="stopped-6s"),
        pytest.param(_still(300, 400, 0, 4), "car", True, [], id="stopped-4s-too-short"),
        pytest.param(_still(600, 400, 0, 8), "car", True, [], id="in-parking"),
        pytest.param(_still(600, 400, 0, 6), "car", False, [EventPhase.OPEN], id="no-parking"),
        pytest.param(_still(300, 100, 0, 8), "car", True, [], id="off-the-carriageway"),
        pytest.param(_still(300, 400, 0, 8), "person", True, [], id="not-a-vehicle"),
        pytest.param([(k * 0.5, 100 + 20 * k, 400) for k in range(20)], "car", True, [],
                     id="moving-slowly"),
        pytest.param(_still(300, 400, 0, 6) + [(6.5, 340, 400)], "car", True,
                     [EventPhase.OPEN, EventPhase.CLOSE], id="moves-off"),
    ],
)
def test_stopped_vehicle(steps: list[Step], cls: str, parking: bool,
                         phases: list[EventPhase]) -> None:
    events = _run(_rule(parking), steps, cls)
    assert [e.phase for e in events if e.phase is not EventPhase.UPDATE] == phases
    if phases:
        assert events[0].kind is EventKind.STOPPED_VEHICLE
        assert events[0].attrs["stopped_s"] == pytest.approx(5.0, abs=0.5)


def test_track_end_closes_its_event_and_forget_prunes() -> None:
    rule = _rule()
    assert [e.phase for e in _run(rule, _still(300, 400, 0, 6))] == [EventPhase.OPEN]
    rule.forget(1)
    assert not rule._spells
    closed = rule.update(make_observation(make_detections(track_ids=[]), ts=7.0))
    assert [e.phase for e in closed] == [EventPhase.CLOSE]
