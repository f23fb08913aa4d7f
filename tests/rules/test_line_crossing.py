"""line_crossing: directions, hysteresis, recount window, no-id rows, classes, events, minutes."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from factories import FRAME_SHAPE, box_at, make_detections, make_observation
from kuzet.config.geometry import LineConfig
from kuzet.config.rules import LineCrossingRuleConfig
from kuzet.core.counts import Direction, LineCount
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.rules.line_crossing import LineCrossingRule, segments_cross

# Horizontal line at y = 240 px from x = 64 to x = 576 (frame 640x480). Moving
# down the image crosses from the line's left to its right: `in`.
LINE = LineConfig(start=(0.1, 0.5), end=(0.9, 0.5))
Y = 240.0
BAND = 0.01 * float(np.hypot(*FRAME_SHAPE))  # 8 px

# (ts, track id, x, bottom y, class)
Row = tuple[float, int, float, float, str]


def _rule(**cfg: Any) -> LineCrossingRule:
    settings = {"id": "l1", "line": "road", "classes": ["car", "bicycle"], **cfg}
    return LineCrossingRule("cam", LineCrossingRuleConfig(**settings), LINE, FRAME_SHAPE)


def _run(rule: LineCrossingRule, rows: list[Row]) -> tuple[list[LineCount], list[Event]]:
    counts: list[LineCount] = []
    events: list[Event] = []
    for ts in sorted({r[0] for r in rows}):
        now = [r for r in rows if r[0] == ts]
        dets = make_detections(
            [box_at(x, y) for _, _, x, y, _ in now],
            classes=[c for *_, c in now],
            track_ids=[t for _, t, *_ in now],
        )
        events.extend(rule.update(make_observation(dets, ts=ts)))
        counts.extend(rule.drain_counts())
    return counts, events


def _path(ys: list[float], tid: int = 1, x: float = 320.0, cls: str = "car", dt: float = 0.1):
    return [(round(i * dt, 4), tid, x, y, cls) for i, y in enumerate(ys)]


def _totals(counts: list[LineCount]) -> dict[tuple[str, str], int]:
    out: Counter[tuple[str, str]] = Counter()
    for c in counts:
        out[(c.label, str(c.direction))] += c.n
    return dict(out)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(_path([200, 220, 235, 250, 270]), {("car", "in"): 1}, id="in"),
        pytest.param(_path([270, 250, 235, 220, 200]), {("car", "out"): 1}, id="out"),
        pytest.param(_path([200, 300]), {("car", "in"): 1}, id="one-big-step"),
        pytest.param(
            _path([200, 236, 244, 236, 244, 236, 244, 239, 241, 270]),
            {("car", "in"): 1},
            id="jitter-on-line-counts-once",
        ),
        pytest.param(_path([200, 245, 238, 246, 200]), {}, id="touch-band-and-back"),
        pytest.param(
            _path([200, 280, 200, 280], dt=1.0),
            {("car", "in"): 1, ("car", "out"): 1},
            id="back-and-forth-within-recount",
        ),
        pytest.param(
            [(0, 1, 320, 200, "car"), (1, 1, 320, 280, "car"), (2, 1, 320, 200, "car"),
             (15, 1, 320, 280, "car")],
            {("car", "in"): 2, ("car", "out"): 1},
            id="recount-after-window",
        ),
        pytest.param(_path([280, 300, 320]), {}, id="first-seen-beyond"),
        pytest.param(_path([200, 280], x=620), {}, id="past-the-line-end"),
        pytest.param(
            _path([200, 280], tid=1) + _path([280, 200], tid=2, cls="bicycle")
            + _path([200, 280], tid=3, x=200),
            {("car", "in"): 2, ("bicycle", "out"): 1},
            id="classes-and-tracks",
        ),
        pytest.param(_path([200, 280], cls="person"), {}, id="unwatched-class"),
    ],
)
def test_counts(rows: list[Row], expected: dict[tuple[str, str], int]) -> None:
    counts, _ = _run(_rule(recount_after=10), rows)
    assert _totals(counts) == expected


def test_rows_without_track_id_are_never_counted() -> None:
    rule = _rule()
    for ts, y in [(0.0, 200.0), (0.1, 280.0), (0.2, 200.0), (0.3, 280.0)]:
        dets = make_detections([box_at(320, y), box_at(300, y)], classes="car")  # no ids
        rule.update(make_observation(dets, ts=ts))
    assert rule.drain_counts() == []


def test_forget_drops_track_state() -> None:
    rule = _rule()
    _run(rule, _path([200]))
    rule.forget(1)
    counts, _ = _run(rule, [(1.0, 1, 320, 280, "car")])  # same id, fresh: no previous side
    assert counts == []
    assert rule._tracks.keys() == {1}


@pytest.mark.parametrize(
    ("forbidden", "ys", "kinds"),
    [
        (["out"], [200, 280], []),
        (["out"], [280, 200], [EventKind.WRONG_WAY]),
        (["in"], [200, 280], [EventKind.WRONG_WAY]),
        ([], [200, 280], []),
    ],
)
def test_wrong_way_only_for_forbidden_direction(
    forbidden: list[str], ys: list[float], kinds: list[EventKind]
) -> None:
    _, events = _run(_rule(directions_forbidden=forbidden), _path(ys))
    assert sorted({e.kind for e in events}) == kinds
    if kinds:
        assert [e.phase for e in events] == [EventPhase.OPEN, EventPhase.CLOSE]
        assert events[0].severity is Severity.ALERT
        assert events[0].attrs["direction"] in forbidden
        assert events[0].track_ids == (1,)


def test_emit_events_gives_detection_events() -> None:
    _, events = _run(_rule(emit_events=True), _path([200, 280]))
    assert [(e.kind, e.phase, e.severity) for e in events] == [
        (EventKind.LINE_CROSSING, EventPhase.OPEN, Severity.DETECTION),
        (EventKind.LINE_CROSSING, EventPhase.CLOSE, Severity.DETECTION),
    ]
    assert events[0].attrs == {"line": "road", "direction": "in"}


def test_counts_are_bucketed_per_utc_minute() -> None:
    rule = _rule()
    minute = 1_700_000_040.0  # a minute boundary (divisible by 60)
    plan = [(1, minute - 1.0, 200.0), (1, minute - 0.5, 280.0), (2, minute, 200.0),
            (2, minute + 0.5, 280.0), (3, minute + 1.0, 200.0), (3, minute + 1.5, 280.0)]
    for tid, wall, y in plan:
        dets = make_detections([box_at(320, y)], classes="car", track_ids=[tid])
        rule.update(make_observation(dets, ts=wall - minute, wall=wall))
    counts = rule.drain_counts()
    assert [(c.minute.timestamp(), c.n, c.direction) for c in counts] == [
        (minute - 60, 1, Direction.IN),
        (minute, 2, Direction.IN),
    ]
    assert all(c.camera_id == "cam" and c.line == "road" for c in counts)
    assert rule.drain_counts() == []  # drained


def test_segments_cross_is_vectorised() -> None:
    line = np.array([[0.0, 0.0], [10.0, 0.0]])
    prev = np.array([[5.0, -1.0], [5.0, -1.0], [15.0, -1.0], [5.0, 1.0], [5.0, 0.0]])
    curr = np.array([[5.0, 1.0], [5.0, -0.5], [15.0, 1.0], [5.0, 1.0], [5.0, 0.0]])
    assert segments_cross(line, prev, curr).tolist() == [True, False, False, False, False]


def test_wrong_frame_size_is_rejected() -> None:
    with pytest.raises(ValueError, match="built for frame"):
        _rule().update(make_observation(ts=0.0, frame_shape=(240, 320)))


def test_band_is_relative_to_diagonal() -> None:
    assert _rule()._band == pytest.approx(BAND)


@pytest.mark.parametrize(
    ("ys", "forget_at", "expected"),
    [
        # first seen inside the band above the line, then well below: its origin counts
        pytest.param([236, 270], None, {("car", "in"): 1}, id="first-seen-in-band"),
        # first seen in the band right ON the line's other side: no crossing of its own
        pytest.param([244, 270], None, {}, id="first-seen-in-band-beyond"),
        # lost just past the line (inside the band): the whole track crossed
        pytest.param([200, 220, 244], 1.0, {("car", "in"): 1}, id="ends-past-line-in-band"),
        # lost in the band before reaching the line: nothing
        pytest.param([200, 220, 236], 1.0, {}, id="ends-before-line"),
        # jitter on the line, ends back on its own side: nothing
        pytest.param([200, 244, 236], 1.0, {}, id="ends-back-on-own-side"),
        # ends past the line after it already counted: not twice
        pytest.param([200, 270, 244], 1.0, {("car", "in"): 1}, id="no-double-count-at-end"),
    ],
)
def test_whole_track_counts(
    ys: list[float], forget_at: float | None, expected: dict[tuple[str, str], int]
) -> None:
    rule = _rule(emit_events=True)
    counts, events = _run(rule, _path(ys))
    if forget_at is not None:
        rule.forget(1)
        more, ended = _run(rule, [(forget_at, 9, 10, 10, "car")])  # any later observation
        counts, events = counts + more, events + ended
    assert _totals(counts) == expected
    crossing_ts = [e.started_at for e in events if e.kind is EventKind.LINE_CROSSING]
    assert len(crossing_ts) == 2 * sum(expected.values())  # open + close each


def test_crossing_found_at_track_end_keeps_its_time_and_flushes_on_close() -> None:
    rule = _rule(emit_events=True)
    _run(rule, _path([200, 220, 244]))  # last position at ts 0.2
    rule.forget(1)
    events = rule.close_all(5.0, 5.0)
    opened = [e for e in events if e.phase is EventPhase.OPEN]
    assert len(opened) == 1 and opened[0].attrs["direction"] == "in"
    assert rule.drain_counts()[0].n == 1
