"""crowd: threshold, duration, close grace, whole frame vs zone."""

from __future__ import annotations

from typing import Any

import pytest

from factories import FRAME_SHAPE, box_at, make_detections, make_observation
from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules import CrowdRuleConfig
from kuzet.core.types import Event, EventKind, EventPhase
from kuzet.rules.crowd import CrowdRule

LEFT_HALF = ZoneConfig(points=[(0, 0), (0.5, 0), (0.5, 1), (0, 1)])


def _rule(zone: ZoneConfig | None = LEFT_HALF, **cfg: Any) -> CrowdRule:
    settings = {"id": "c", "min_count": 3, "min_duration": 5.0, "close_after": 4.0, **cfg}
    return CrowdRule("cam", CrowdRuleConfig(**settings), zone, FRAME_SHAPE)


def _obs(ts: float, n_in: int, n_out: int = 0):  # type: ignore[no-untyped-def]
    boxes = [box_at(20 + 25 * i, 300) for i in range(n_in)]
    boxes += [box_at(400 + 25 * i, 300) for i in range(n_out)]
    return make_observation(make_detections(boxes, track_ids=list(range(len(boxes)))), ts=ts)


def _run(rule: CrowdRule, plan: list[tuple[float, float, int, int]]) -> list[tuple[float, Event]]:
    # plan: (from ts, to ts, people inside, people outside), one frame per 0.5 s
    out = []
    for t0, t1, n_in, n_out in plan:
        ts = t0
        while ts < t1 - 1e-9:
            out += [(ts, e) for e in rule.update(_obs(ts, n_in, n_out))]
            ts += 0.5
    return out


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        pytest.param([(0, 20, 3, 0)], [(5.0, "open")], id="opens-after-duration"),
        pytest.param([(0, 4, 3, 0), (4, 5, 2, 0), (5, 9, 3, 0)], [], id="dip-resets-duration"),
        pytest.param([(0, 20, 2, 5)], [], id="outside-zone-not-counted"),
        pytest.param(
            [(0, 10, 4, 0), (10, 20, 1, 0)], [(5.0, "open"), (14.0, "close")], id="closes-after"
        ),
        pytest.param(
            [(0, 10, 4, 0), (10, 12, 1, 0), (12, 20, 4, 0)], [(5.0, "open")], id="short-dip-stays"
        ),
    ],
)
def test_crowd_lifecycle(
    plan: list[tuple[float, float, int, int]], expected: list[tuple[float, str]]
) -> None:
    got = [(ts, str(e.phase)) for ts, e in _run(_rule(), plan) if e.phase is not EventPhase.UPDATE]
    assert got == expected


def test_attrs_count_and_max() -> None:
    events = [e for _, e in _run(_rule(), [(0, 8, 3, 0), (8, 12, 6, 0), (12, 20, 3, 0)])]
    assert events[0].kind is EventKind.CROWD
    assert events[0].attrs["count"] == 3
    assert max(e.attrs["max_count"] for e in events) == 6
    assert events[-1].attrs["count"] == 3 and events[-1].attrs["max_count"] == 6


def test_whole_frame_when_no_zone() -> None:
    got = _run(_rule(zone=None), [(0, 10, 1, 2)])
    assert [str(e.phase) for _, e in got][:1] == ["open"]


def test_close_all() -> None:
    rule = _rule()
    _run(rule, [(0, 8, 3, 0)])
    closed = rule.close_all(9.0, 1_700_000_009.0)
    assert [e.phase for e in closed] == [EventPhase.CLOSE]
