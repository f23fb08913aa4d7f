"""fight / aggression rules over sequences of FightWindows (no model needed)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from factories import make_observation
from kuzet.config.fights import FightsConfig
from kuzet.core.fight import FightWindow
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.rules.fight import AggressionRule, FightRule, build_fight_rules

STRIDE = 0.5  # seconds between windows


def _window(ts: float, score: float, people: int = 2, pairs: tuple[tuple[int, int], ...] = ()
            ) -> FightWindow:
    boxes = np.asarray([[100 + 60 * i, 100, 150 + 60 * i, 300] for i in range(people)],
                       np.float32).reshape(-1, 4)
    return FightWindow(ts, 1_700_000_000.0 + ts, score, people, boxes, pairs)


def _feed(rule: FightRule | AggressionRule, windows: list[FightWindow]) -> list[Event]:
    events: list[Event] = []
    for w in windows:
        obs = dataclasses.replace(make_observation(ts=w.ts), fight=w)
        events += rule.update(obs)
        # observations between windows carry no verdict and change nothing
        events += rule.update(make_observation(ts=w.ts + STRIDE / 2))
    return events


def _scores(*runs: tuple[int, float], people: int = 2) -> list[FightWindow]:
    # runs of (windows, score), one window per stride
    out, ts = [], 0.0
    for n, score in runs:
        for _ in range(n):
            out.append(_window(ts, score, people))
            ts += STRIDE
    return out


def _fight(**cfg: Any) -> FightRule:
    settings = {"enabled": True, "min_windows": 3, "close_after": 2.0, "cooldown": 10.0, **cfg}
    return FightRule("cam", FightsConfig(**settings), threshold=0.6)


def _phases(events: list[Event]) -> list[tuple[float, str]]:
    return [(e.frame_ts, str(e.phase)) for e in events if e.phase is not EventPhase.UPDATE]


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        pytest.param([(10, 0.9), (10, 0.1)], [(1.0, "open"), (6.5, "close")], id="open-close"),
        pytest.param([(2, 0.9), (1, 0.2)] * 8, [], id="flicker-below-n-never-opens"),
        pytest.param([(40, 0.59)], [], id="just-below-threshold"),
        pytest.param(
            [(6, 0.9), (2, 0.3), (6, 0.9), (10, 0.0)], [(1.0, "open"), (8.5, "close")],
            id="short-dip-is-one-situation",
        ),
        pytest.param(
            [(6, 0.9), (6, 0.0), (6, 0.9), (30, 0.0)], [(1.0, "open"), (4.5, "close")],
            id="cooldown-blocks-a-second-event",
        ),
        pytest.param(
            [(6, 0.9), (26, 0.0), (6, 0.9), (10, 0.0)],
            [(1.0, "open"), (4.5, "close"), (17.0, "open"), (20.5, "close")],
            id="second-fight-after-cooldown",
        ),
    ],
)
def test_fight_lifecycle(runs: list[tuple[int, float]], expected: list[tuple[float, str]]) -> None:
    events = _feed(_fight(), _scores(*runs))
    assert _phases(events) == expected
    assert all(e.kind is EventKind.FIGHT and e.severity is Severity.ALERT for e in events)


def test_fight_attrs_carry_max_score_people_and_boxes() -> None:
    windows = _scores((3, 0.7)) + [_window(1.5, 0.95, people=3), _window(2.0, 0.8, people=3)]
    events = _feed(_fight(), windows + _scores((10, 0.0))[4:])
    opened, closed = events[0], events[-1]
    assert opened.phase is EventPhase.OPEN and opened.attrs["max_score"] == 0.7
    assert opened.attrs["box"] == [100.0, 100.0, 210.0, 300.0]
    assert len(opened.attrs["boxes"]) == 2
    assert closed.phase is EventPhase.CLOSE
    assert closed.attrs["max_score"] == 0.95 and closed.attrs["max_people"] == 3
    assert len(closed.attrs["boxes"]) == 3  # the people of the best-scoring window
    assert closed.ended_at is not None and closed.attrs["mass_brawl"] is False


def test_mass_brawl_is_critical_from_the_window_that_reaches_the_count() -> None:
    windows = _scores((4, 0.9), people=2) + [_window(2.0, 0.9, people=5)]
    windows += [_window(2.5 + STRIDE * i, 0.9, people=2) for i in range(6)]
    windows += [_window(6.0 + STRIDE * i, 0.0) for i in range(8)]
    events = _feed(_fight(mass_brawl_people=4), windows)
    assert [e.severity for e in events if e.phase is EventPhase.OPEN] == [Severity.ALERT]
    later = [e for e in events if e.phase is not EventPhase.OPEN]
    assert later and all(e.severity is Severity.CRITICAL for e in later)
    assert all(e.attrs["mass_brawl"] for e in later)
    assert sum(e.phase is EventPhase.CLOSE for e in events) == 1


def test_mass_brawl_at_open() -> None:
    events = _feed(_fight(), _scores((5, 0.9), (8, 0.0), people=6))
    assert [(str(e.phase), e.severity) for e in events if e.phase is not EventPhase.UPDATE] == [
        ("open", Severity.CRITICAL), ("close", Severity.CRITICAL)]


def test_close_all_closes_an_open_fight() -> None:
    rule = _fight()
    assert _phases(_feed(rule, _scores((5, 0.9)))) == [(1.0, "open")]
    closed = rule.close_all(9.0, 1_700_000_009.0)
    assert [str(e.phase) for e in closed] == ["close"]
    assert rule.close_all(9.5, 1_700_000_009.5) == []


def test_active_hours_block_opening() -> None:
    # 1_700_000_000 is 22:13 UTC; active 08-20 UTC means no event.
    import datetime as dt

    cfg = FightsConfig(enabled=True, min_windows=1, active_hours=(8, 20))
    rule = FightRule("cam", cfg, 0.5, tz=dt.UTC)
    assert _feed(rule, _scores((5, 0.9))) == []


def _aggression(**cfg: Any) -> AggressionRule:
    settings = {"enabled": True, "aggression_min_windows": 3, "close_after": 2.0, **cfg}
    return AggressionRule("cam", FightsConfig(**settings), threshold=0.6)


def test_aggression_opens_when_pairs_persist_at_lower_severity() -> None:
    windows = [_window(i * STRIDE, 0.3, 2, ((0, 1),)) for i in range(6)]
    windows += [_window(3.0 + i * STRIDE, 0.3) for i in range(6)]
    events = _feed(_aggression(), windows)
    assert _phases(events) == [(1.0, "open"), (4.5, "close")]
    assert all(e.kind is EventKind.AGGRESSION for e in events)
    assert events[0].severity is Severity.DETECTION
    assert events[0].attrs["pairs"] == 1 and len(events[0].attrs["boxes"]) == 2


@pytest.mark.parametrize(
    "windows",
    [
        pytest.param([_window(i * STRIDE, 0.3, 2, ((0, 1),) if i % 2 else ()) for i in range(20)],
                     id="pairs-flicker"),
        pytest.param([_window(i * STRIDE, 0.9, 2, ((0, 1),)) for i in range(20)],
                     id="a-fight-is-not-aggression"),
        pytest.param([_window(i * STRIDE, 0.3) for i in range(20)], id="analyser-gives-none"),
    ],
)
def test_aggression_does_not_open(windows: list[FightWindow]) -> None:
    assert _feed(_aggression(), windows) == []


def test_build_fight_rules_follows_the_section() -> None:
    assert build_fight_rules("cam", FightsConfig(), 0.5) == []
    kinds = [r.kind for r in build_fight_rules("cam", FightsConfig(enabled=True), 0.5)]
    assert kinds == [EventKind.FIGHT, EventKind.AGGRESSION]
    only = build_fight_rules("cam", FightsConfig(enabled=True, aggression=False), 0.5)
    assert [r.kind for r in only] == [EventKind.FIGHT]


@pytest.mark.parametrize(
    ("min_people", "persons_in_view", "opens"),
    [(1, 0, False), (1, 1, True), (2, 1, False), (2, 2, True), (0, 0, True)],
)
def test_windows_need_people_in_view(min_people: int, persons_in_view: int, opens: bool) -> None:
    """Pose found nobody (people 0): the tracked persons in view decide (e.g. a car-only
    scene with a high motion score never raises a fight)."""
    from factories import box_at, make_detections

    rule = _fight(min_people=min_people)
    dets = make_detections([box_at(100 + 80 * i, 300) for i in range(persons_in_view)],
                           track_ids=list(range(1, persons_in_view + 1)))
    events: list[Event] = []
    for w in _scores((6, 0.9), people=0):
        events += rule.update(dataclasses.replace(make_observation(dets, ts=w.ts), fight=w))
    assert bool(events) is opens
