"""zone_presence: dwell, min objects, close grace, cooldown, classes, forget."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from factories import FRAME_SHAPE, box_at, make_detections, make_observation
from kuzet.config.cameras import CameraConfig
from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules import ZonePresenceRuleConfig
from kuzet.core.errors import ConfigError
from kuzet.core.types import Event, EventKind, EventPhase, Observation, Severity
from kuzet.rules import ZonePresenceRule, build_rules

LEFT_HALF = ZoneConfig(points=[(0, 0), (0.5, 0), (0.5, 1), (0, 1)])
IN, OUT = 100.0, 500.0  # x of a bottom-centre inside / outside the left half

# (track id, x, class) rows visible at a timestamp
Script = Callable[[float], list[tuple[int, float, str]]]


def _rule(**cfg: Any) -> ZonePresenceRule:
    settings = {"id": "r1", "zone": "left", "cooldown": 30.0, **cfg}
    return ZonePresenceRule("cam", ZonePresenceRuleConfig(**settings), LEFT_HALF, FRAME_SHAPE, UTC)


def _obs(ts: float, rows: list[tuple[int, float, str]]) -> Observation:
    dets = make_detections(
        [box_at(x, 300) for _, x, _ in rows],
        classes=[c for _, _, c in rows],
        track_ids=[t for t, _, _ in rows],
    )
    return make_observation(dets, ts=ts)


def _run(rule: ZonePresenceRule, times: list[float], script: Script) -> list[Event]:
    events: list[Event] = []
    for ts in times:
        events.extend(rule.update(_obs(ts, script(ts))))
    return events


def _ticks(end: float, step: float = 0.1, start: float = 0.0) -> list[float]:
    return [round(t, 4) for t in np.arange(start, end + 1e-9, step)]


def _jitter(end: float) -> list[float]:
    rng = np.random.default_rng(1)
    times = np.cumsum(rng.uniform(0.05, 0.7, 200)).round(4)
    return [float(t) for t in times if t <= end]


def _person_in(t0: float, t1: float, tid: int = 1, cls: str = "person") -> Script:
    return lambda ts: [(tid, IN if t0 <= ts < t1 else OUT, cls)]


def _both(*scripts: Script) -> Script:
    return lambda ts: [row for s in scripts for row in s(ts)]


def _summary(events: list[Event]) -> list[tuple[str, float, int]]:
    return [(e.phase.value, round(e.frame_ts, 1), int(e.attrs["count"])) for e in events]


CASES = [
    ("stays 2.9 s", {}, _ticks(2.9), _person_in(0, 99), []),
    ("stays 3.1 s", {}, _ticks(3.1), _person_in(0, 99), [("open", 3.0, 1)]),
    ("stays on: no duplicate open", {}, _ticks(30), _person_in(0, 99), [("open", 3.0, 1)]),
    (
        "leaves: close after close_after",
        {"close_after": 3.0},
        _ticks(12),
        _person_in(0, 5),
        [("open", 3.0, 1), ("close", 8.0, 1)],
    ),
    (
        "steps out and back within close_after: stays open",
        {"close_after": 3.0, "min_duration": 0.5},
        _ticks(12),
        lambda ts: [(1, OUT if 5 <= ts < 6 else IN, "person")],
        [("open", 0.5, 1)],
    ),
    (
        "re-enters within cooldown: nothing; after cooldown: new open",
        {"close_after": 3.0, "cooldown": 30.0},
        _ticks(45, 0.5),
        lambda ts: [(1, IN if ts < 5 or ts >= 10 else OUT, "person")],
        [("open", 3.0, 1), ("close", 8.0, 1), ("open", 38.0, 1)],
    ),
    ("car ignored when classes=[person]", {}, _ticks(10), _person_in(0, 99, cls="car"), []),
    (
        "car counted when classes=[car]",
        {"classes": ["car"]},
        _ticks(10),
        _person_in(0, 99, cls="car"),
        [("open", 3.0, 1)],
    ),
    ("irregular timestamps", {}, _jitter(8), _person_in(0, 99), "open-once-at>=3"),
    (
        "min_objects=2 waits for the second; updates on count change",
        {"min_objects": 2, "close_after": 1.0},
        _ticks(20, 0.5),
        _both(_person_in(0, 99, 1), _person_in(2, 99, 2), _person_in(4, 12, 3)),
        [("open", 5.0, 2), ("update", 7.0, 3), ("update", 12.0, 2)],
    ),
    (
        "min_objects=2 closes when one leaves",
        {"min_objects": 2, "close_after": 2.0},
        _ticks(20, 0.5),
        _both(_person_in(0, 99, 1), _person_in(0, 10, 2)),
        [("open", 3.0, 2), ("close", 12.0, 2)],
    ),
    (
        "a track missing from a few frames keeps its dwell",
        {},
        _ticks(4),
        lambda ts: [] if 1 <= ts < 2.5 else [(1, IN, "person")],
        [("open", 3.0, 1)],
    ),
    (
        "stepping outside restarts the dwell",
        {},
        _ticks(8),
        lambda ts: [(1, OUT if 2 <= ts < 2.2 else IN, "person")],
        [("open", 5.2, 1)],
    ),
]


@pytest.mark.parametrize(
    ("cfg", "times", "script", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_zone_presence_sequences(
    cfg: dict[str, Any], times: list[float], script: Script, expected: Any
) -> None:
    events = _run(_rule(**cfg), times, script)
    if expected == "open-once-at>=3":
        assert [e.phase for e in events] == [EventPhase.OPEN]
        entered = times[0]
        prev = [t for t in times if t < events[0].frame_ts][-1]
        assert prev - entered < 3.0 <= events[0].frame_ts - entered
        return
    assert _summary(events) == expected
    opened = [e for e in events if e.phase is EventPhase.OPEN]
    assert len({e.id for e in opened}) == len(opened)  # every open is a new event


def test_open_event_fields() -> None:
    rule = _rule(severity=Severity.CRITICAL)
    script = _both(_person_in(0, 99, 7), _person_in(0, 99, 8, "car"))
    (event,) = _run(rule, _ticks(3.0), script)
    wall = 1_700_000_003.0
    assert event.kind is EventKind.ZONE_PRESENCE and rule.kind is EventKind.ZONE_PRESENCE
    assert (event.camera_id, event.rule_id, event.severity) == ("cam", "r1", Severity.CRITICAL)
    assert (event.track_ids, event.labels) == ((7,), ("person",))
    assert event.attrs == {"zone": "left", "count": 1, "dwell_s": 3.0}
    assert (event.frame_ts, event.frame_wall) == (3.0, wall)
    assert event.started_at == datetime.fromtimestamp(wall, UTC) and event.ended_at is None


def test_close_carries_the_same_id_and_when_the_zone_emptied() -> None:
    events = _run(_rule(close_after=3.0), _ticks(12), _person_in(0, 5))
    opened, closed = events
    assert closed.id == opened.id and closed.phase is EventPhase.CLOSE
    assert closed.ended_at == datetime.fromtimestamp(1_700_000_005.0, UTC)
    assert closed.started_at == opened.started_at and closed.frame_ts == 8.0


def test_updates_are_throttled_but_not_lost() -> None:
    # counts 1 -> 2 -> 3 within a second: one update once the throttle allows, with 3
    rule = _rule(min_duration=0.0)
    script = _both(_person_in(0, 99, 1), _person_in(0.5, 99, 2), _person_in(1.0, 99, 3))
    assert _summary(_run(rule, _ticks(6), script)) == [("open", 0.0, 1), ("update", 2.0, 3)]


def test_forget_clears_a_tracks_dwell() -> None:
    rule = _rule()
    _run(rule, _ticks(2.0), _person_in(0, 99))
    rule.forget(1)
    rule.forget(99)  # unknown ids are fine
    events = _run(rule, _ticks(6, start=2.1), _person_in(0, 99))
    assert _summary(events) == [("open", 5.1, 1)]


def test_close_all_closes_the_open_event() -> None:
    rule = _rule()
    _run(rule, _ticks(4), _person_in(0, 99))
    (closed,) = rule.close_all(4.5, 1_700_000_004.5)
    assert closed.phase is EventPhase.CLOSE and closed.ended_at is not None
    assert rule.close_all(5.0, 1_700_000_005.0) == []


@pytest.mark.parametrize(
    ("hours", "hour_utc", "opens"),
    [
        ((22, 6), 23, True),
        ((22, 6), 3, True),
        ((22, 6), 12, False),
        ((8, 18), 12, True),
        (None, 4, True),
    ],
)
def test_active_hours(hours: tuple[int, int] | None, hour_utc: int, opens: bool) -> None:
    rule = _rule(active_hours=hours)
    base = datetime(2024, 5, 1, hour_utc, 30, tzinfo=UTC).timestamp()
    events = []
    for ts in _ticks(4):
        obs = _obs(ts, [(1, IN, "person")])
        events += rule.update(make_observation(obs.detections, ts=ts, wall=base + ts))
    assert bool(events) is opens


def test_untracked_or_empty_detections_are_fine_and_frame_size_is_checked() -> None:
    rule = _rule()
    assert rule.update(make_observation(make_detections([box_at(IN, 300)]))) == []
    assert rule.update(make_observation()) == []
    with pytest.raises(ValueError, match="built for frame"):
        rule.update(make_observation(frame_shape=(240, 320)))


def _camera(rules: list[dict[str, Any]]) -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "source": {"url": "video.mp4"},
            "zones": {"left": {"points": [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]}},
            "rules": rules,
        }
    )


def test_build_rules_skips_disabled_rules_and_checks_zones() -> None:
    cam = _camera(
        [
            {"id": "a", "kind": "zone_presence", "zone": "left"},
            {"id": "b", "kind": "zone_presence", "zone": "left", "enabled": False},
        ]
    )
    (rule,) = build_rules("cam", cam, FRAME_SHAPE)
    assert rule.id == "a" and isinstance(rule, ZonePresenceRule)
    # validated configs cannot name a missing zone; an unvalidated copy can
    with pytest.raises(ConfigError, match="left"):
        build_rules("cam", cam.model_copy(update={"zones": {}}), FRAME_SHAPE)
    with pytest.raises(ValueError, match="frame_shape"):
        build_rules("cam", cam, (0, 640))


@pytest.mark.parametrize(("timezone", "opens"), [("Asia/Almaty", True), ("UTC", False)])
def test_active_hours_follow_the_camera_time_zone(timezone: str, opens: bool) -> None:
    """08:00-18:00 on a camera in Almaty (UTC+5) covers 04:30 UTC; in UTC it does not."""
    cam = _camera([{"id": "a", "kind": "zone_presence", "zone": "left",
                    "active_hours": [8, 18]}]).model_copy(update={"timezone": timezone})
    (rule,) = build_rules("cam", cam, FRAME_SHAPE)
    base = datetime(2026, 5, 1, 4, 30, tzinfo=UTC).timestamp()
    events = []
    for ts in _ticks(4):
        obs = _obs(ts, [(1, IN, "person")])
        events += rule.update(make_observation(obs.detections, ts=ts, wall=base + ts))
    assert bool(events) is opens
