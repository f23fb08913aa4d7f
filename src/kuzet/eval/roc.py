"""Verification ROC: rates at a threshold, and the threshold for a stated false-accept rate.

Distances: a pair is accepted ("same person") when its distance is at most the
threshold. TPR = accepted same pairs / same pairs; FPR (FAR) = accepted
different pairs / different pairs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
ROC_POINTS = 40


def rates(dist: F64, same: Mask, threshold: float) -> tuple[float, float]:
    """(TPR, FPR) at ``threshold`` (nan where a class has no pair).

    Example:
        >>> rates(np.array([0.3, 0.7, 0.4, 0.9]), np.array([1, 1, 0, 0], bool), 0.5)
        (0.5, 0.5)
    """
    accept = dist <= threshold
    tpr = float(accept[same].mean()) if same.any() else float("nan")
    fpr = float(accept[~same].mean()) if (~same).any() else float("nan")
    return tpr, fpr


def threshold_at_far(dist: F64, same: Mask, far: float) -> float:
    """The largest threshold at which at most ``far`` of the different pairs are accepted.

    Halfway between the last allowed and the first disallowed different-pair
    distance (so it does not sit on a measured pair). With fewer than ``1/far``
    different pairs no false accept is allowed: the result is then just under the
    closest different pair, and the FAR it promises is not measured.

    Example:
        >>> threshold_at_far(np.array([0.3, 0.5, 0.7]), np.array([1, 0, 0], bool), 0.0)
        0.49
    """
    neg = np.sort(dist[~same])
    if len(neg) == 0:
        raise ValueError("no different-person pairs: a false-accept rate cannot be set")
    allowed = int(np.floor(far * len(neg)))
    if allowed >= len(neg):
        return float(neg[-1])
    upper = float(neg[allowed])
    lower = float(neg[allowed - 1]) if allowed > 0 else upper - 0.02
    return round((lower + upper) / 2, 4)


def roc_points(dist: F64, same: Mask, points: int = ROC_POINTS) -> list[dict[str, float]]:
    """The ROC as ``{threshold, tpr, fpr}`` at evenly spaced thresholds over the distances."""
    grid = np.linspace(float(dist.min()), float(dist.max()), points)
    out = []
    for t in grid:
        tpr, fpr = rates(dist, same, float(t))
        out.append({"threshold": round(float(t), 4), "tpr": round(tpr, 4), "fpr": round(fpr, 4)})
    return out
