"""Text pieces of one plate line are offered joined (a plate split at a gap or sticker)."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.enrich.plate.lines import join_line_pieces, stacked, stacked_pairs


@pytest.mark.parametrize(
    ("boxes", "added"),
    [
        ([[0, 0, 30, 10], [40, 1, 80, 11]], [[0, 0, 80, 11]]),  # same line, gap 1 height
        ([[0, 0, 30, 10], [60, 0, 90, 10]], []),  # gap 3 heights: another text
        ([[0, 0, 30, 10], [35, 20, 80, 30]], []),  # next line
        ([[0, 0, 30, 10]], []),
    ],
)
def test_join_line_pieces(boxes: list[list[float]], added: list[list[float]]) -> None:
    out = join_line_pieces(np.asarray(boxes, np.float32))
    assert out[: len(boxes)].tolist() == boxes
    assert out[len(boxes) :].tolist() == added


@pytest.mark.parametrize(
    ("top", "bottom", "expected"),
    [
        ([0, 0, 60, 20], [10, 24, 50, 44], True),  # a two-line plate
        ([0, 0, 60, 20], [0, 22, 30, 40], True),  # a shorter second line, left-aligned
        ([10, 0, 50, 8], [0, 10, 60, 40], False),  # a small state name above the plate
        ([0, 0, 60, 20], [70, 0, 120, 20], False),  # side by side: one line
        ([0, 0, 60, 20], [0, 60, 60, 80], False),  # too far apart
        ([0, 0, 30, 20], [40, 24, 80, 44], False),  # no horizontal overlap
    ],
)
def test_stacked_lines(top: list[float], bottom: list[float], expected: bool) -> None:
    assert stacked(np.array(top, np.float32), np.array(bottom, np.float32)) is expected


def test_stacked_pairs_are_top_first() -> None:
    boxes = np.array([[10, 24, 50, 44], [0, 0, 60, 20]], np.float32)
    assert stacked_pairs(boxes) == [(1, 0)]
