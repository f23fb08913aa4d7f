"""Train and cross-validate the fight model on cached per-clip rows (scikit-learn).

Two models are fitted on the same windows: the main one (gradient boosting by
default) on the hand-made pose and flow columns, and a linear *motion head*
(StandardScaler + PCA + LogisticRegression) on the embedding-motion columns;
their log-odds are mixed (:data:`MOTION_WEIGHT`). Windows inherit their clip's
label; each clip weighs the same (its windows share a weight of 1). A clip's
score is the aggregate (mean) of its window scores. Cross-validation is
stratified and *group-aware*: every clip cut from one source video sits in the
same fold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kuzet.core.errors import ConfigError
from kuzet.core.types import FloatArray
from kuzet.fights.dataset import Clip, ClipRows
from kuzet.fights.features import (
    DEFAULT_FPS,
    DEFAULT_STRIDE_S,
    DEFAULT_WINDOW_S,
    FEATURE_NAMES,
    HAND_NAMES,
    replay_windows,
)
from kuzet.fights.model import FightModel, from_sklearn, motion_head

GBM_PARAMS: dict[str, Any] = {
    "n_estimators": 200, "max_depth": 3, "learning_rate": 0.05, "subsample": 0.8,
    "min_samples_leaf": 8, "max_features": 0.5,
}
# Motion head: its share of the log-odds, PCA components and L2 strength. Chosen
# by group CV on ../shared/data/fight (motion alone 0.815, hand-made alone 0.743,
# mixed 0.7/0.3 0.815 accuracy with AUC 0.90); the mix keeps the pose and flow
# evidence in the score, which generalises differently from the embedding.
MOTION_WEIGHT = 0.7
MOTION_COMPONENTS = 64
MOTION_C = 0.05
CLIP_S = 2.0  # typical labelled clip length (weights extra negative videos)
LIVE_RUN = 3  # consecutive windows the live rule needs by default
LIVE_MAX_FPR = 0.05  # share of held-out no-fight clips allowed to reach such a run
LIVE_GRID = np.round(np.arange(0.5, 0.99, 0.01), 2)


@dataclass(frozen=True)
class WindowSet:
    """Window vectors of many clips, with the clip each row came from."""

    x: FloatArray
    clip: npt.NDArray[np.int64]  # row -> clip index
    labels: npt.NDArray[np.int64]  # per clip
    groups: list[str]  # per clip
    extra: npt.NDArray[np.bool_]  # per clip: extra negative (train only)
    weight: npt.NDArray[np.float64]  # per row


def clip_windows(rows: ClipRows, window_s: float, stride_s: float, fps: float) -> FloatArray:
    """A clip's window vectors; a clip shorter than one window gives one window of all rows."""
    return replay_windows(rows.ts, rows.rows, window_s, stride_s, fps)


def build_windows(
    data: list[tuple[Clip, ClipRows]], window_s: float = DEFAULT_WINDOW_S,
    stride_s: float = DEFAULT_STRIDE_S, fps: float = DEFAULT_FPS,
) -> WindowSet:
    """Window vectors of every clip."""
    xs, owner, weight = [], [], []
    # An extra negative video weighs as much as one clip per CLIP_S seconds of it.
    per_clip = max(1.0, (CLIP_S - window_s) / stride_s + 1)
    for k, (clip, rows) in enumerate(data):
        x = clip_windows(rows, window_s, stride_s, fps)
        xs.append(x)
        owner += [k] * len(x)
        weight += [1.0 / (per_clip if clip.extra else len(x))] * len(x)
    return WindowSet(np.concatenate(xs).astype(np.float32), np.asarray(owner, np.int64),
                     np.asarray([c.label for c, _ in data], np.int64),
                     [c.group for c, _ in data], np.asarray([c.extra for c, _ in data], bool),
                     np.asarray(weight, np.float64))


def make_estimator(kind: str, seed: int) -> Any:
    """A fresh sklearn estimator of the given kind."""
    if kind == "gbm":
        from sklearn.ensemble import GradientBoostingClassifier

        return GradientBoostingClassifier(random_state=seed, **GBM_PARAMS)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))


def make_motion_estimator(rows: int) -> Any:
    """StandardScaler + PCA + LogisticRegression for the embedding-motion columns."""
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    components = max(1, min(MOTION_COMPONENTS, rows - 1))
    return make_pipeline(StandardScaler(), PCA(components, random_state=0),
                         LogisticRegression(C=MOTION_C, max_iter=3000))


def _fit(kind: str, ws: WindowSet, clips: npt.NDArray[np.int64], seed: int,
         ) -> tuple[Any, dict[str, Any]]:
    """The main estimator (on the hand-made columns) and the motion head."""
    rows = np.isin(ws.clip, clips)
    weight = ws.weight[rows]
    y = ws.labels[ws.clip[rows]]
    hand = len(HAND_NAMES)
    est = make_estimator(kind, seed)
    fit_args = {"logisticregression__sample_weight": weight} if kind != "gbm" else {
        "sample_weight": weight}
    est.fit(ws.x[rows, :hand], y, **fit_args)
    motion = make_motion_estimator(int(rows.sum()))
    motion.fit(ws.x[rows, hand:], y, logisticregression__sample_weight=weight)
    return est, motion_head(motion, MOTION_WEIGHT)


def window_scores(
    model: FightModel, ws: WindowSet, clips: npt.NDArray[np.int64]
) -> list[npt.NDArray[np.float64]]:
    """Window scores of each of the given clips."""
    return [model.predict_proba(ws.x[ws.clip == c]) for c in clips]


def longest_run(scores: npt.NDArray[np.float64], threshold: float) -> int:
    """Most consecutive windows at or above ``threshold``."""
    best = run = 0
    for above in scores >= threshold:
        run = run + 1 if above else 0
        best = max(best, run)
    return best


def choose_live_threshold(
    windows: list[npt.NDArray[np.float64]], labels: npt.NDArray[np.int64],
    run: int = LIVE_RUN, max_fpr: float = LIVE_MAX_FPR,
) -> dict[str, Any]:
    """Smallest window threshold at which at most ``max_fpr`` of the held-out no-fight
    clips have ``run`` windows in a row at or above it (what the live rule needs to open).
    """
    longest = [np.asarray([longest_run(w, t) for t in LIVE_GRID]) for w in windows]
    table = np.stack(longest) >= run  # clips x thresholds
    fpr = table[labels == 0].mean(axis=0)
    tpr = table[labels == 1].mean(axis=0)
    ok = np.flatnonzero(fpr <= max_fpr)
    k = int(ok[0]) if len(ok) else len(LIVE_GRID) - 1
    return {"live_threshold": round(float(LIVE_GRID[k]), 2), "run": run,
            "max_clip_fpr": max_fpr, "clip_fpr": round(float(fpr[k]), 4),
            "clip_tpr": round(float(tpr[k]), 4)}


def metrics(labels: npt.NDArray[np.int64], scores: npt.NDArray[np.float64],
            threshold: float) -> dict[str, Any]:
    """Accuracy, precision, recall, F1, ROC-AUC and the confusion matrix."""
    pred = scores >= threshold
    truth = labels == 1
    tp, fp = int((pred & truth).sum()), int((pred & ~truth).sum())
    fn, tn = int((~pred & truth).sum()), int((~pred & ~truth).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": round((tp + tn) / max(len(labels), 1), 4),
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "roc_auc": round(roc_auc(labels, scores), 4),
            "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn}}


def roc_auc(labels: npt.NDArray[np.int64], scores: npt.NDArray[np.float64]) -> float:
    """Area under the ROC curve (Mann-Whitney; ties count half); NaN with one class."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()
    return float(greater / (len(pos) * len(neg)))


def cross_validate(
    ws: WindowSet, kind: str = "gbm", folds: int = 5, seed: int = 0,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Stratified group k-fold CV at clip level.

    Returns:
        Pooled metrics over all held-out clips, per-fold accuracies (mean, sd) and
        every clip's held-out score.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    settings = settings or {}
    index = np.flatnonzero(~ws.extra)
    labels, groups = ws.labels[index], [ws.groups[i] for i in index]
    n_groups = len(set(groups))
    if n_groups < folds or min(np.bincount(labels, minlength=2)) < folds:
        raise ConfigError(
            f"{folds}-fold CV needs at least {folds} clips of each class and {folds} "
            f"source groups; got {np.bincount(labels, minlength=2).tolist()} clips in "
            f"{n_groups} groups"
        )
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = np.zeros(len(index))
    fold_of = np.zeros(len(index), np.int64)
    threshold = float(settings.get("threshold", 0.5))
    per_fold = []
    held_out: list[npt.NDArray[np.float64]] = [np.zeros(0)] * len(index)
    for k, (train, test) in enumerate(splitter.split(index, labels, groups)):
        fit_on = np.concatenate([index[train], np.flatnonzero(ws.extra)])
        est, motion = _fit(kind, ws, fit_on, seed)
        model = from_sklearn(est, motion, **settings)
        for t, w in zip(test, window_scores(model, ws, index[test]), strict=True):
            held_out[t] = w
            scores[t] = model.clip_score(w)
        fold_of[test] = k
        per_fold.append(metrics(labels[test], scores[test], threshold)["accuracy"])
    report = metrics(labels, scores, threshold)
    report.update(fold_accuracy=per_fold, accuracy_mean=round(float(np.mean(per_fold)), 4),
                  accuracy_sd=round(float(np.std(per_fold)), 4),
                  live=choose_live_threshold(held_out, labels))
    return {"metrics": report, "scores": scores.tolist(), "fold": fold_of.tolist(),
            "clips": index.tolist()}


def train_model(ws: WindowSet, kind: str, seed: int, settings: dict[str, Any]) -> FightModel:
    """Fit on every clip and export to a FightModel."""
    est, motion = _fit(kind, ws, np.arange(len(ws.labels)), seed)
    return from_sklearn(est, motion, **settings)


def feature_importance(model: FightModel, top: int = 15) -> list[tuple[str, float]]:
    """Split counts per hand-made feature of a gbm model, or |coef| of a logistic one
    (largest first; the motion head's columns are not listed)."""
    if model.kind != "gbm":
        coef = np.abs(np.asarray(model.params["coef"]))
        order = np.argsort(-coef)[:top]
        return [(FEATURE_NAMES[i], round(float(coef[i]), 3)) for i in order]
    counts = np.zeros(len(HAND_NAMES))
    for tree in model.params["trees"]:
        for f in tree["feature"]:
            if f >= 0:
                counts[f] += 1
    order = np.argsort(-counts)[:top]
    return [(FEATURE_NAMES[i], float(counts[i])) for i in order]
