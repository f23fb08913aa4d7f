"""Class-aware IoU association of tracks and detections (Hungarian assignment)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from kuzet.core.geometry import box_iou

# Detectors flicker between these labels for the same object, so a track may
# absorb any of its group; anything else (person vs car) never matches.
_CLASS_GROUPS: dict[str, str] = {
    "car": "vehicle",
    "truck": "vehicle",
    "bus": "vehicle",
    "train": "vehicle",
    "bicycle": "two_wheeler",
    "motorcycle": "two_wheeler",
    "backpack": "bag",
    "handbag": "bag",
    "suitcase": "bag",
}

_NO_MATCH = 1e6


def class_groups(class_ids: npt.ArrayLike, class_names: Sequence[str]) -> list[str]:
    """Association group of each class id (its name's group, else the name or id).

    Args:
        class_ids: (N,) class indices.
        class_names: Index -> name table; ids outside it are grouped by number.

    Returns:
        One group key per id; ids match only within the same group.

    Example:
        >>> class_groups([0, 2, 7], ("person", "bicycle", "car", "m", "a", "b", "t", "truck"))
        ['person', 'vehicle', 'vehicle']
    """
    out = []
    for cid in np.asarray(class_ids, dtype=np.int64).reshape(-1).tolist():
        name = class_names[cid] if 0 <= cid < len(class_names) else f"#{cid}"
        out.append(_CLASS_GROUPS.get(name, name))
    return out


def associate(
    track_boxes: npt.ArrayLike,
    track_groups: Sequence[str],
    det_boxes: npt.ArrayLike,
    det_groups: Sequence[str],
    min_iou: float,
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match tracks to detections by maximum total IoU within class groups.

    Args:
        track_boxes: (T,4) xyxy predicted track boxes.
        track_groups: (T,) class groups of the tracks.
        det_boxes: (D,4) xyxy detection boxes.
        det_groups: (D,) class groups of the detections.
        min_iou: Pairs below this IoU are never matched.

    Returns:
        ``(matches, unmatched_tracks, unmatched_dets)``: matches are
        ``(track_index, det_index)`` pairs; all lists are in ascending order.

    Example:
        >>> associate([[0, 0, 10, 10]], ["person"], [[1, 0, 11, 10]], ["person"], 0.3)
        ([(0, 0)], [], [])
    """
    n_tracks, n_dets = len(track_groups), len(det_groups)
    if n_tracks == 0 or n_dets == 0:
        return [], list(range(n_tracks)), list(range(n_dets))
    iou = box_iou(track_boxes, det_boxes).astype(np.float64)
    t_groups = np.asarray(track_groups, dtype=object)
    d_groups = np.asarray(det_groups, dtype=object)
    same = t_groups[:, None] == d_groups[None, :]
    valid = same & (iou >= min_iou) & (iou > 0)
    cost = np.where(valid, 1.0 - iou, _NO_MATCH)
    rows, cols = linear_sum_assignment(cost)
    matches = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if valid[r, c]]
    used_t = {t for t, _ in matches}
    used_d = {d for _, d in matches}
    return (
        matches,
        [t for t in range(n_tracks) if t not in used_t],
        [d for d in range(n_dets) if d not in used_d],
    )
