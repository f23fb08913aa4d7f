"""Text pieces of one plate line are offered joined (a plate split at a gap or sticker)."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.enrich.plate.lines import join_line_pieces


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
