"""Metrics shared by the ``kuzet eval`` commands: event matching, MAE and RMSE.

Event matching works on time intervals in seconds from the start of the clip::

    expected   |----- start_s ........ end_s -----|
    window  |tol|                                  |tol|
    produced start must fall in the window   ^ (offset = produced - expected start)

A produced event matches an expected one of the same type when its start falls
inside ``[start_s - tol, end_s + tol]`` and, when the expected row has a box, one
of the produced event's boxes overlaps it. Pairs are assigned one-to-one,
greedily, smallest absolute start offset first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class ExpectedEvent:
    """One ground-truth row.

    Attributes:
        type: Canonical event type (``EventKind`` value).
        start_s: Start, seconds from the clip start.
        end_s: End, seconds from the clip start (>= ``start_s``).
        box: xyxy in pixels of the original video, or None (anywhere).
        note: Free text from the file.
    """

    type: str
    start_s: float
    end_s: float
    box: Box | None = None
    note: str = ""


@dataclass(frozen=True)
class ProducedEvent:
    """One event the pipeline raised (all its phases folded into one).

    Attributes:
        type: Canonical event type.
        start_s: Seconds from the clip start when it opened.
        end_s: Seconds from the clip start when it closed, or None.
        boxes: xyxy boxes in pixels of the original video (the event's objects,
            or its ``box`` attribute); empty = the whole frame.
        id: Event id.
        rule_id: Rule that raised it.
        attrs: The event's attributes at its last phase.
        labels: Class names of the event's objects over its life.
    """

    type: str
    start_s: float
    end_s: float | None = None
    boxes: tuple[Box, ...] = ()
    id: str = ""
    rule_id: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """A matched pair (indices into the expected and produced lists)."""

    expected: int
    produced: int
    offset_s: float


@dataclass(frozen=True)
class MatchResult:
    """Outcome of ``match_events``."""

    matches: list[Match]
    missed: list[int]
    false_alarms: list[int]


def boxes_overlap(a: Box, b: Box) -> bool:
    """True when two xyxy boxes share a positive area.

    Example:
        >>> boxes_overlap((0, 0, 10, 10), (5, 5, 20, 20)), boxes_overlap((0, 0, 1, 1), (1, 0, 2, 1))
        (True, False)
    """
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _compatible(exp: ExpectedEvent, prod: ProducedEvent, tolerance: float) -> bool:
    if exp.type != prod.type:
        return False
    if not exp.start_s - tolerance <= prod.start_s <= exp.end_s + tolerance:
        return False
    if exp.box is None or not prod.boxes:
        return True
    return any(boxes_overlap(exp.box, box) for box in prod.boxes)


def match_events(
    expected: Sequence[ExpectedEvent], produced: Sequence[ProducedEvent], tolerance: float
) -> MatchResult:
    """Match produced events to expected ones, one-to-one.

    Args:
        expected: Ground-truth rows.
        produced: Events the pipeline raised.
        tolerance: Seconds the start may fall before ``start_s`` or after ``end_s``.

    Returns:
        Matches (smallest absolute start offset first), and the indices of
        unmatched expected rows (missed) and unmatched produced events (false alarms).

    Raises:
        ValueError: ``tolerance`` is negative.

    Example:
        >>> r = match_events([ExpectedEvent("crowd", 10, 20)], [ProducedEvent("crowd", 11.5)], 2)
        >>> [m.offset_s for m in r.matches], r.missed, r.false_alarms
        ([1.5], [], [])
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    pairs = [
        (abs(p.start_s - e.start_s), i, j)
        for i, e in enumerate(expected)
        for j, p in enumerate(produced)
        if _compatible(e, p, tolerance)
    ]
    pairs.sort()
    used_e: set[int] = set()
    used_p: set[int] = set()
    matches: list[Match] = []
    for _, i, j in pairs:
        if i in used_e or j in used_p:
            continue
        used_e.add(i)
        used_p.add(j)
        matches.append(Match(i, j, round(produced[j].start_s - expected[i].start_s, 3)))
    missed = [i for i in range(len(expected)) if i not in used_e]
    false_alarms = [j for j in range(len(produced)) if j not in used_p]
    return MatchResult(matches, missed, false_alarms)


def ratio(numerator: int, denominator: int) -> float:
    """``numerator / denominator``, 1.0 when there is nothing to divide.

    Precision with no produced events is 1.0 (no false alarm was raised); recall
    with no expected events is 1.0 (nothing was missed).
    """
    return round(numerator / denominator, 4) if denominator else 1.0


def summarize(
    expected: Sequence[ExpectedEvent], produced: Sequence[ProducedEvent], result: MatchResult
) -> dict[str, Any]:
    """Counts, precision and recall overall and per type (JSON-ready).

    Returns:
        ``matched``, ``missed``, ``false_alarms``, ``offsets_s``, ``precision``,
        ``recall`` and ``by_type`` {type: the same counts plus ``expected`` and
        ``produced``}.
    """
    types = sorted({e.type for e in expected} | {p.type for p in produced})
    by_type: dict[str, dict[str, Any]] = {}
    for kind in types:
        n_exp = sum(e.type == kind for e in expected)
        n_prod = sum(p.type == kind for p in produced)
        n_match = sum(expected[m.expected].type == kind for m in result.matches)
        by_type[kind] = {
            "expected": n_exp,
            "produced": n_prod,
            "matched": n_match,
            "missed": n_exp - n_match,
            "false_alarms": n_prod - n_match,
            "precision": ratio(n_match, n_prod),
            "recall": ratio(n_match, n_exp),
        }
    return {
        "matched": len(result.matches),
        "missed": len(result.missed),
        "false_alarms": len(result.false_alarms),
        "offsets_s": [m.offset_s for m in result.matches],
        "precision": ratio(len(result.matches), len(produced)),
        "recall": ratio(len(result.matches), len(expected)),
        "by_type": by_type,
    }


def _checked(expected: Sequence[float], predicted: Sequence[float]) -> list[float]:
    if len(expected) != len(predicted):
        raise ValueError(
            f"expected and predicted differ in length: {len(expected)} != {len(predicted)}"
        )
    if not expected:
        raise ValueError("no values to compare")
    return [float(p) - float(e) for e, p in zip(expected, predicted, strict=True)]


def mae(expected: Sequence[float], predicted: Sequence[float]) -> float:
    """Mean absolute error.

    Raises:
        ValueError: Lengths differ or the sequences are empty.

    Example:
        >>> mae([10, 20], [12, 17])
        2.5
    """
    errors = _checked(expected, predicted)
    return sum(abs(e) for e in errors) / len(errors)


def rmse(expected: Sequence[float], predicted: Sequence[float]) -> float:
    """Root mean squared error.

    Raises:
        ValueError: Lengths differ or the sequences are empty.

    Example:
        >>> rmse([0, 0], [3, 4])  # sqrt((9 + 16) / 2)
        3.5355339059327378
    """
    errors = _checked(expected, predicted)
    return math.sqrt(sum(e * e for e in errors) / len(errors))
