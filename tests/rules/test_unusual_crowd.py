"""unusual_crowd: the baseline learns, alerts on exceedance, falls back, persists."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from factories import FRAME_SHAPE, box_at, make_detections, make_observation
from kuzet.config.rules import UnusualCrowdRuleConfig
from kuzet.core.types import Event, EventKind, EventPhase
from kuzet.rules.baseline import Welford, baseline_path, hour_of_week, load_baseline
from kuzet.rules.unusual_crowd import UnusualCrowdRule

MONDAY = datetime(2024, 1, 1, tzinfo=UTC).timestamp()  # a Monday, 00:00 UTC
HOUR = 3600.0


def _rule(**cfg: Any) -> UnusualCrowdRule:
    settings = {"id": "u", "min_duration": 30.0, "close_after": 30.0, "margin_abs": 3.0, **cfg}
    return UnusualCrowdRule("cam", UnusualCrowdRuleConfig(**settings), None, FRAME_SHAPE, UTC)


def _feed(rule: UnusualCrowdRule, start: float, end: float, count: Any, step: float = 10.0):
    events: list[Event] = []
    wall = start
    while wall < end:
        n = count(wall) if callable(count) else count
        boxes = [box_at(20 + 10 * i, 300) for i in range(n)]
        dets = make_detections(boxes, track_ids=list(range(n)))
        events += rule.update(make_observation(dets, ts=wall - MONDAY, wall=wall))
        wall += step
    return events


def _usual(wall: float) -> int:
    return 2 + int(wall // 60) % 3  # 2, 3, 4 people, minute by minute


def test_welford_matches_numpy() -> None:
    values = [2.0, 3.0, 4.0, 2.0, 9.0]
    w = Welford()
    for v in values:
        w.add(v)
    import numpy as np

    assert w.mean == pytest.approx(np.mean(values))
    assert w.std == pytest.approx(np.std(values, ddof=1))


def test_hour_of_week_bins() -> None:
    assert hour_of_week(MONDAY, UTC) == 0
    assert hour_of_week(MONDAY + 10 * HOUR, UTC) == 10
    assert hour_of_week(MONDAY + 24 * HOUR + HOUR, UTC) == 25
    assert hour_of_week(MONDAY + 7 * 24 * HOUR - 1, UTC) == 167


def test_baseline_learns_per_minute_means_of_synthetic_days() -> None:
    rule = _rule()
    for week in range(2):  # two synthetic Mondays 09:00-11:00
        day = MONDAY + week * 7 * 24 * HOUR
        _feed(rule, day + 9 * HOUR, day + 11 * HOUR, _usual)
    stats = rule.baseline.bins[9]
    assert stats.n >= 110  # ~60 minutes per Monday morning hour, two weeks
    assert stats.mean == pytest.approx(3.0, abs=0.1)
    assert stats.std == pytest.approx(0.82, abs=0.1)
    assert rule.baseline.bins[9 + 24].n == 0  # Tuesday 09:00 saw nothing


def test_alerts_on_exceedance_of_learned_baseline() -> None:
    rule = _rule(min_history=10)
    _feed(rule, MONDAY + 9 * HOUR, MONDAY + 10 * HOUR, _usual)
    assert _feed(rule, MONDAY + 10 * HOUR - 1, MONDAY + 10 * HOUR, 5) == []  # not in bin 10 yet
    limit = rule.limit(MONDAY + 9 * HOUR + 1)
    assert limit is not None and limit.source == "baseline"
    assert limit.value == pytest.approx(limit.mean + 3.0, abs=0.01)  # 3 sigma (2.4) < margin_abs
    t = MONDAY + 9 * HOUR  # replay inside the learned bin a week later
    t += 7 * 24 * HOUR
    events = _feed(rule, t, t + 120, 12)
    opens = [e for e in events if e.phase is EventPhase.OPEN]
    assert len(opens) == 1
    assert opens[0].kind is EventKind.UNUSUAL_CROWD
    assert opens[0].attrs["limit_source"] == "baseline"
    assert opens[0].frame_wall - t >= 30.0
    closing = _feed(rule, t + 120, t + 240, 3)
    assert [e.phase for e in closing if e.phase is not EventPhase.UPDATE] == [EventPhase.CLOSE]


def test_usual_counts_do_not_alert() -> None:
    rule = _rule()
    _feed(rule, MONDAY + 9 * HOUR, MONDAY + 10 * HOUR, _usual)
    t = MONDAY + 7 * 24 * HOUR + 9 * HOUR
    assert _feed(rule, t, t + 600, _usual) == []


@pytest.mark.parametrize(
    ("threshold", "opens"), [pytest.param(8, 1, id="threshold"), pytest.param(None, 0, id="none")]
)
def test_falls_back_to_threshold_before_history(threshold: int | None, opens: int) -> None:
    rule = _rule(threshold=threshold)
    t = MONDAY + 30 * HOUR  # Tuesday 06:00: no history at all
    events = _feed(rule, t, t + 120, 10)
    assert len([e for e in events if e.phase is EventPhase.OPEN]) == opens
    if opens:
        assert events[0].attrs["limit_source"] == "threshold"


def test_minutes_during_an_alert_are_not_learned() -> None:
    rule = _rule(threshold=5)
    t = MONDAY + 30 * HOUR
    _feed(rule, t, t + 600, 20)
    assert rule.baseline.bins[30].n <= 1  # only the minute before the event opened


def test_baseline_persists_and_resets(tmp_path: Path) -> None:
    rule = _rule()
    rule.use_state_dir(tmp_path)
    _feed(rule, MONDAY + 9 * HOUR, MONDAY + 10 * HOUR, _usual)
    rule.close_all(HOUR, MONDAY + 10 * HOUR)
    path = baseline_path(tmp_path, "cam", None)
    assert path.is_file()
    assert json.loads(path.read_text())["version"] == 1
    again = _rule()
    again.use_state_dir(tmp_path)
    assert again.baseline.bins[9].n == rule.baseline.bins[9].n > 50
    assert again.baseline.bins[9].mean == pytest.approx(rule.baseline.bins[9].mean, abs=1e-5)
    path.unlink()  # what `kuzet baseline reset` does
    assert load_baseline(path).bins[9].n == 0


def test_saves_periodically(tmp_path: Path) -> None:
    rule = _rule(save_every=60.0)
    rule.use_state_dir(tmp_path)
    _feed(rule, MONDAY, MONDAY + 200, 1)
    assert baseline_path(tmp_path, "cam", None).is_file()
