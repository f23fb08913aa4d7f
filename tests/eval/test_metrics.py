"""Event matching, precision/recall and count errors, table-driven."""

from __future__ import annotations

import math

import pytest

from kuzet.eval.metrics import (
    ExpectedEvent,
    ProducedEvent,
    boxes_overlap,
    mae,
    match_events,
    ratio,
    rmse,
    summarize,
)

E = ExpectedEvent
P = ProducedEvent


@pytest.mark.parametrize(
    ("expected", "produced", "tol", "pairs", "missed", "false_alarms"),
    [
        ([], [], 2.0, [], [], []),
        ([E("crowd", 10, 20)], [], 2.0, [], [0], []),
        ([], [P("crowd", 5)], 2.0, [], [], [0]),
        # inside the interval, and inside the tolerance on either side
        ([E("crowd", 10, 20)], [P("crowd", 15)], 0.0, [(0, 0, 5.0)], [], []),
        ([E("crowd", 10, 20)], [P("crowd", 8.5)], 2.0, [(0, 0, -1.5)], [], []),
        ([E("crowd", 10, 20)], [P("crowd", 21.9)], 2.0, [(0, 0, 11.9)], [], []),
        ([E("crowd", 10, 20)], [P("crowd", 22.1)], 2.0, [], [0], [0]),
        ([E("crowd", 10, 20)], [P("crowd", 7.9)], 2.0, [], [0], [0]),
        # the type must agree
        ([E("crowd", 10, 20)], [P("loitering", 10)], 2.0, [], [0], [0]),
        # one-to-one: the closest start wins, the other produced is a false alarm
        ([E("crowd", 10, 20)], [P("crowd", 14), P("crowd", 10.5)], 2.0, [(0, 1, 0.5)], [], [0]),
        # greedy by offset across rows: each produced goes to its nearest row
        (
            [E("crowd", 10, 30), E("crowd", 20, 30)],
            [P("crowd", 21), P("crowd", 11)],
            2.0,
            [(1, 0, 1.0), (0, 1, 1.0)],
            [],
            [],
        ),
    ],
)
def test_match_events_by_time(
    expected: list[ExpectedEvent],
    produced: list[ProducedEvent],
    tol: float,
    pairs: list[tuple[int, int, float]],
    missed: list[int],
    false_alarms: list[int],
) -> None:
    result = match_events(expected, produced, tol)
    got = sorted((m.expected, m.produced, m.offset_s) for m in result.matches)
    assert got == sorted(pairs)
    assert result.missed == missed
    assert result.false_alarms == false_alarms


@pytest.mark.parametrize(
    ("exp_box", "prod_boxes", "matched"),
    [
        (None, ((0.0, 0.0, 5.0, 5.0),), True),  # no expected box: anywhere
        ((0.0, 0.0, 10.0, 10.0), (), True),  # frame-wide event (no box)
        ((0.0, 0.0, 10.0, 10.0), ((5.0, 5.0, 20.0, 20.0),), True),
        ((0.0, 0.0, 10.0, 10.0), ((10.0, 0.0, 20.0, 10.0),), False),  # touching only
        ((0.0, 0.0, 10.0, 10.0), ((50.0, 50.0, 60.0, 60.0), (9.0, 9.0, 12.0, 12.0)), True),
    ],
)
def test_match_events_by_box(
    exp_box: tuple[float, float, float, float] | None,
    prod_boxes: tuple[tuple[float, float, float, float], ...],
    matched: bool,
) -> None:
    result = match_events(
        [E("abandoned_object", 5, 6, exp_box)], [P("abandoned_object", 5, boxes=prod_boxes)], 1.0
    )
    assert bool(result.matches) is matched


def test_negative_tolerance_is_rejected() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        match_events([], [], -1.0)


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((0, 0, 10, 10), (5, 5, 15, 15), True),
        ((0, 0, 10, 10), (10, 10, 20, 20), False),
        ((0, 0, 10, 10), (2, 2, 3, 3), True),
        ((0, 0, 10, 10), (0, 11, 10, 20), False),
    ],
)
def test_boxes_overlap(a: tuple[float, ...], b: tuple[float, ...], overlap: bool) -> None:
    assert boxes_overlap(a, b) is overlap  # type: ignore[arg-type]


def test_summarize_per_type() -> None:
    expected = [E("crowd", 0, 5), E("crowd", 30, 40), E("loitering", 10, 20)]
    produced = [P("crowd", 1), P("loitering", 50), P("loitering", 12)]
    result = match_events(expected, produced, 2.0)
    summary = summarize(expected, produced, result)
    assert (summary["matched"], summary["missed"], summary["false_alarms"]) == (2, 1, 1)
    assert summary["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert sorted(summary["offsets_s"]) == [1.0, 2.0]
    assert summary["by_type"]["crowd"] == {
        "expected": 2,
        "produced": 1,
        "matched": 1,
        "missed": 1,
        "false_alarms": 0,
        "precision": 1.0,
        "recall": 0.5,
    }
    assert summary["by_type"]["loitering"]["false_alarms"] == 1


@pytest.mark.parametrize(("num", "den", "value"), [(1, 2, 0.5), (0, 0, 1.0), (0, 3, 0.0)])
def test_ratio(num: int, den: int, value: float) -> None:
    assert ratio(num, den) == value


@pytest.mark.parametrize(
    ("expected", "predicted", "mae_value", "rmse_value"),
    [
        ([10], [10], 0.0, 0.0),
        ([10, 20], [12, 17], 2.5, math.sqrt((4 + 9) / 2)),
        ([0, 0, 0, 0], [1, -1, 1, -1], 1.0, 1.0),
        ([3, 53], [3, 43], 5.0, math.sqrt(50)),
    ],
)
def test_mae_rmse(
    expected: list[float], predicted: list[float], mae_value: float, rmse_value: float
) -> None:
    assert mae(expected, predicted) == pytest.approx(mae_value)
    assert rmse(expected, predicted) == pytest.approx(rmse_value)


@pytest.mark.parametrize(("expected", "predicted"), [([], []), ([1, 2], [1])])
def test_errors_reject_bad_input(expected: list[float], predicted: list[float]) -> None:
    with pytest.raises(ValueError):
        mae(expected, predicted)
    with pytest.raises(ValueError):
        rmse(expected, predicted)
