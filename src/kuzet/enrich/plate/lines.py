"""Text-line geometry inside a plate region: pieces of one line, two-line plates."""

from __future__ import annotations

import numpy as np

from kuzet.core.types import FloatArray

LINE_OVERLAP = 0.6  # vertical overlap (of the taller box) for two pieces to share a line
JOIN_GAP = 1.5  # widest gap between pieces of one plate, in box heights
STACK_GAP = 0.8  # widest vertical gap between the lines of a plate, in line heights
STACK_HEIGHT_RATIO = 0.5  # the shorter line is at least this share of the taller
STACK_OVERLAP = 0.5  # horizontal overlap, as a share of the narrower line


def join_line_pieces(boxes: FloatArray) -> FloatArray:
    """Add the union of each two boxes that sit on one text line with a small gap.

    The text detector splits a plate at a wide gap (``1B7 0440``) or a sticker;
    the joined box is offered as one more candidate, the pieces stay.

    Example:
        >>> join_line_pieces(np.array([[0, 0, 30, 10], [40, 1, 80, 11]], np.float32)).shape
        (3, 4)
    """
    joined = [boxes]
    for i in range(len(boxes)):
        for j in range(len(boxes)):
            a, b = boxes[i], boxes[j]
            h = max(float(a[3] - a[1]), float(b[3] - b[1]))
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            gap = float(b[0] - a[2])
            if i != j and overlap >= LINE_OVERLAP * h and -0.2 * h <= gap <= JOIN_GAP * h:
                union = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                joined.append(np.asarray([union], np.float32))
    out: FloatArray = np.concatenate(joined).astype(np.float32)
    return out


def stacked(top: FloatArray, bottom: FloatArray) -> bool:
    """Whether ``bottom`` is the second line of a plate whose first line is ``top``.

    The lines overlap horizontally, the gap between them is small, and their
    heights are alike (a state name above a plate is much smaller).

    Example:
        >>> stacked(np.array([0, 0, 60, 20.]), np.array([10, 24, 50, 44.]))
        True
    """
    ht, hb = float(top[3] - top[1]), float(bottom[3] - bottom[1])
    if min(ht, hb) < STACK_HEIGHT_RATIO * max(ht, hb):
        return False
    gap = float(bottom[1] - top[3])
    if not -0.3 * min(ht, hb) <= gap <= STACK_GAP * max(ht, hb):
        return False
    overlap = min(top[2], bottom[2]) - max(top[0], bottom[0])
    narrower = min(float(top[2] - top[0]), float(bottom[2] - bottom[0]))
    return float(overlap) >= STACK_OVERLAP * narrower


def stacked_pairs(boxes: FloatArray) -> list[tuple[int, int]]:
    """(top, bottom) index pairs of boxes that form two-line plates, top line first."""
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(len(boxes))
        if i != j and boxes[i][1] < boxes[j][1] and stacked(boxes[i], boxes[j])
    ]
