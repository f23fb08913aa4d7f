"""loitering: dwell from irregular ts, re-entry grace, close on leave / end, forget."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from factories import FRAME_SHAPE, box_at, make_detections, make_observation
from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules import LoiteringRuleConfig
from kuzet.core.types import Event, EventKind, EventPhase
from kuzet.rules.loitering import LoiteringRule

LEFT_HALF = ZoneConfig(points=[(0, 0), (0.5, 0), (0.5, 1), (0, 1)])
IN, OUT = 100.0, 500.0


def _rule(**cfg: Any) -> LoiteringRule:
    settings = {"id": "l", "zone": "left", "min_duration": 10.0, "reentry_grace": 5.0, **cfg}
    return LoiteringRule("cam", LoiteringRuleConfig(**settings), LEFT_HALF, FRAME_SHAPE)


def _step(
    rule: LoiteringRule, ts: float, x: float | None, ended: tuple[int, ...] = ()
) -> list[Event]:
    boxes = [] if x is None else [box_at(x, 300)]
    dets = make_detections(boxes, track_ids=[] if x is None else [1])
    return rule.update(make_observation(dets, ts=ts, ended_tracks=ended))


def _irregular(end: float, seed: int = 3) -> list[float]:
    times = np.cumsum(np.random.default_rng(seed).uniform(0.05, 1.5, 400)).round(3)
    return [float(t) for t in times if t <= end]


def _phases(events: list[Event]) -> list[EventPhase]:
    return [e.phase for e in events]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_opens_after_min_duration_of_frame_time(seed: int) -> None:
    rule = _rule()
    times = _irregular(30.0, seed)
    opened_at = None
    for ts in times:
        for e in _step(rule, ts, IN):
            if e.phase is EventPhase.OPEN:
                opened_at = ts
                assert e.kind is EventKind.LOITERING
                assert e.attrs["dwell_s"] >= 10.0
    assert opened_at is not None
    first = times[0]
    assert opened_at - first >= 10.0
    assert max(t for t in times if t - first < 10.0) < opened_at  # the first frame past 10 s


@pytest.mark.parametrize(
    ("away_s", "events"),
    [
        pytest.param(3.0, [EventPhase.OPEN], id="back-within-grace-continues"),
        pytest.param(8.0, [EventPhase.OPEN, EventPhase.CLOSE], id="away-too-long-closes"),
    ],
)
def test_reentry_grace(away_s: float, events: list[EventPhase]) -> None:
    rule = _rule()
    out: list[Event] = []
    for ts in np.arange(0, 12.01, 0.5):
        out += _step(rule, float(ts), IN)
    for ts in np.arange(12.5, 12 + away_s + 0.01, 0.5):
        out += _step(rule, float(ts), OUT)
    back = 12.5 + away_s
    for ts in np.arange(back, back + 2.01, 0.5):
        out += _step(rule, float(ts), IN)
    assert [p for p in _phases(out) if p is not EventPhase.UPDATE] == events


def test_reentry_within_grace_keeps_dwell_before_opening() -> None:
    rule = _rule()
    events: list[Event] = []
    for ts, x in [(0, IN), (4, IN), (6, OUT), (8, IN), (10, IN)]:
        events += _step(rule, float(ts), x)
    assert _phases(events) == [EventPhase.OPEN]  # 10 s since first entry, despite the exit


def test_closes_when_track_ends_with_last_seen_time() -> None:
    rule = _rule()
    events: list[Event] = []
    for ts in range(0, 13):
        events += _step(rule, float(ts), IN)
    events += _step(rule, 14.0, None, ended=(1,))
    assert _phases(events)[0] is EventPhase.OPEN
    assert events[-1].phase is EventPhase.CLOSE
    assert events[-1].ended_at is not None
    assert events[-1].ended_at.timestamp() == pytest.approx(1_700_000_012.0)
    rule.forget(1)
    assert rule._dwell == {}


def test_updates_are_occasional() -> None:
    rule = _rule()
    events: list[Event] = []
    for ts in np.arange(0, 60.01, 0.2):
        events += _step(rule, float(ts), IN)
    updates = [e for e in events if e.phase is EventPhase.UPDATE]
    assert 3 <= len(updates) <= 5  # every 10 s over 50 s


def test_forget_restarts_dwell() -> None:
    rule = _rule()
    for ts in range(0, 8):
        _step(rule, float(ts), IN)
    rule.forget(1)
    assert _step(rule, 10.0, IN) == []


def test_other_classes_ignored() -> None:
    rule = _rule()
    events: list[Event] = []
    for ts in range(0, 20):
        dets = make_detections([box_at(IN, 300)], classes="car", track_ids=[1])
        events += rule.update(make_observation(dets, ts=float(ts)))
    assert events == []
