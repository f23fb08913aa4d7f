"""The fight model: a JSON file evaluated in plain numpy (no pickles at run time).

Two kinds are supported, both trained with scikit-learn (``kuzet train fights``):

- ``gbm``: a GradientBoostingClassifier (log-loss) exported tree by tree from the
  public ``estimators_[i, 0].tree_`` arrays; score = sigmoid(prior log-odds +
  learning_rate * sum of leaf values).
- ``logistic``: a StandardScaler + LogisticRegression.

Either may carry a *motion head* (``params["motion"]``): a linear score over the
embedding-motion columns (trained as StandardScaler + PCA + LogisticRegression,
which composes into one weight per column). The final log-odds are
``(1 - weight) * main + weight * motion``.

The file also carries what the features depend on (feature names and version,
analysis rate, window, stride), the decision threshold and how window scores
are aggregated into a clip score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kuzet.core.errors import ModelError
from kuzet.core.types import FloatArray
from kuzet.fights.features import (
    DEFAULT_FPS,
    DEFAULT_STRIDE_S,
    DEFAULT_WINDOW_S,
    FEATURE_NAMES,
    FEATURE_VERSION,
    HAND_NAMES,
)

SHIPPED_MODEL = Path(__file__).with_name("fight_model.json")
FORMAT = "kuzet-fight-model/1"


@dataclass(frozen=True)
class Tree:
    """One regression tree in sklearn's array layout (leaf: left == -1)."""

    feature: npt.NDArray[np.int64]
    threshold: npt.NDArray[np.float64]
    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]

    def predict(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """Leaf values for rows of ``x`` (compared as float32, like sklearn)."""
        node = np.zeros(len(x), np.int64)
        rows = np.arange(len(x))
        while True:
            inner = self.left[node] >= 0
            if not inner.any():
                return self.value[node]
            go_left = x[rows, np.maximum(self.feature[node], 0)] <= self.threshold[node]
            node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)

    def to_json(self) -> dict[str, Any]:
        """Arrays as lists."""
        return {"feature": self.feature.tolist(), "threshold": self.threshold.tolist(),
                "left": self.left.tolist(), "right": self.right.tolist(),
                "value": self.value.tolist()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tree:
        """Inverse of :meth:`to_json`."""
        return cls(np.asarray(data["feature"], np.int64),
                   np.asarray(data["threshold"], np.float64),
                   np.asarray(data["left"], np.int64), np.asarray(data["right"], np.int64),
                   np.asarray(data["value"], np.float64))


@dataclass(frozen=True)
class FightModel:
    """Window features -> fight probability.

    Attributes:
        kind: ``gbm`` or ``logistic``.
        params: Kind-specific numbers (see the module docstring).
        features: Names of the input columns (must equal FEATURE_NAMES).
        threshold: Decision threshold on a clip score (``kuzet eval fights``).
        live_threshold: Default threshold on single window scores for the live rule,
            which needs several windows in a row at or above it (chosen in training
            from held-out no-fight clips; see the training report). None = ``threshold``.
        aggregate: How window scores make a clip score (``mean`` or ``max``).
        fps, window_s, stride_s: The feature settings the model was trained with.
        meta: Free-form training facts (data, metrics) kept in the file.
    """

    kind: str
    params: dict[str, Any]
    features: tuple[str, ...] = FEATURE_NAMES
    threshold: float = 0.5
    live_threshold: float | None = None
    aggregate: str = "mean"
    fps: float = DEFAULT_FPS
    window_s: float = DEFAULT_WINDOW_S
    stride_s: float = DEFAULT_STRIDE_S
    feature_version: int = FEATURE_VERSION
    meta: dict[str, Any] = field(default_factory=dict)
    _trees: tuple[Tree, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in ("gbm", "logistic"):
            raise ModelError(f"unknown fight model kind {self.kind!r} (gbm or logistic)")
        if self.aggregate not in ("mean", "max"):
            raise ModelError(f"unknown aggregate {self.aggregate!r} (mean or max)")
        if tuple(self.features) != FEATURE_NAMES or self.feature_version != FEATURE_VERSION:
            raise ModelError(
                f"fight model was trained on other features (version {self.feature_version}, "
                f"{len(self.features)} columns; this code has version {FEATURE_VERSION}, "
                f"{len(FEATURE_NAMES)} columns): retrain with `kuzet train fights`"
            )
        if self.kind == "gbm" and not self._trees:
            trees = tuple(Tree.from_json(t) for t in self.params["trees"])
            object.__setattr__(self, "_trees", trees)

    def predict_proba(self, x: FloatArray) -> npt.NDArray[np.float64]:
        """Fight probability for each row of ``x`` (n, len(features))."""
        x = np.asarray(x, np.float32).reshape(-1, len(self.features))
        if self.kind == "gbm":
            raw = np.full(len(x), float(self.params["init"]))
            rate = float(self.params["learning_rate"])
            for tree in self._trees:
                raw += rate * tree.predict(x)
        else:
            mean = np.asarray(self.params["mean"], np.float64)
            scale = np.asarray(self.params["scale"], np.float64)
            coef = np.asarray(self.params["coef"], np.float64)
            hand = x[:, : len(mean)].astype(np.float64)
            raw = ((hand - mean) / scale) @ coef + float(self.params["intercept"])
        motion = self.params.get("motion")
        if motion is not None:
            head = x[:, len(HAND_NAMES):].astype(np.float64) @ np.asarray(motion["coef"])
            weight = float(motion["weight"])
            raw = (1 - weight) * raw + weight * (head + float(motion["intercept"]))
        result: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-raw))
        return result

    def clip_score(self, window_scores: npt.NDArray[np.float64]) -> float:
        """Aggregate a clip's window scores (0 when there are none)."""
        if len(window_scores) == 0:
            return 0.0
        return float(window_scores.max() if self.aggregate == "max" else window_scores.mean())

    def to_json(self) -> dict[str, Any]:
        """The JSON document :meth:`load` reads."""
        return {"format": FORMAT, "kind": self.kind, "threshold": self.threshold,
                "live_threshold": self.live_threshold,
                "aggregate": self.aggregate, "fps": self.fps, "window_s": self.window_s,
                "stride_s": self.stride_s, "feature_version": self.feature_version,
                "features": list(self.features), "meta": self.meta, "params": self.params}

    def save(self, path: Path) -> None:
        """Write the model as compact JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> FightModel:
        """Read a model file (default: the shipped model).

        Raises:
            ModelError: Missing, unreadable or incompatible file.
        """
        path = SHIPPED_MODEL if path is None else path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(
                f"fight model {path} not found: train one with `kuzet train fights DATA_DIR`"
            ) from None
        except (OSError, ValueError) as error:
            raise ModelError(f"cannot read fight model {path}: {error}") from error
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelError(f"{path}: not a Kuzet fight model (format {FORMAT!r} expected)")
        try:
            return cls(kind=data["kind"], params=data["params"],
                       features=tuple(data["features"]), threshold=float(data["threshold"]),
                       live_threshold=_optional_float(data.get("live_threshold")),
                       aggregate=data["aggregate"], fps=float(data["fps"]),
                       window_s=float(data["window_s"]), stride_s=float(data["stride_s"]),
                       feature_version=int(data["feature_version"]), meta=data.get("meta", {}))
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(f"{path}: malformed fight model ({error!r})") from error


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def motion_head(pipeline: Any, weight: float) -> dict[str, Any]:
    """Collapse a fitted Pipeline(StandardScaler, [PCA], LogisticRegression) into one
    weight per input column and an intercept (all three steps are linear)."""
    scaler, logistic = pipeline[0], pipeline[-1]
    coef = logistic.coef_[0].astype(np.float64)
    offset = 0.0
    if len(pipeline) == 3:  # PCA: z = (s - mean) @ components.T
        pca = pipeline[1]
        offset = -float(pca.mean_ @ pca.components_.T @ coef)
        coef = pca.components_.T @ coef
    coef = coef / scaler.scale_
    intercept = float(logistic.intercept_[0]) + offset - float(scaler.mean_ @ coef)
    return {"coef": [round(float(c), 7) for c in coef], "intercept": intercept,
            "weight": weight}


def from_sklearn(estimator: Any, motion: dict[str, Any] | None = None,
                 **settings: Any) -> FightModel:
    """Export a fitted GradientBoostingClassifier or Pipeline(StandardScaler, LogisticRegression).

    Args:
        estimator: The fitted sklearn object (binary, classes 0/1).
        motion: An optional motion head (:func:`motion_head`).
        **settings: Other FightModel fields (threshold, aggregate, window_s, meta ...).
    """
    if hasattr(estimator, "estimators_"):
        prior = float(estimator.init_.class_prior_[1])
        trees = []
        for est in estimator.estimators_[:, 0]:
            t = est.tree_
            trees.append(Tree(t.feature.astype(np.int64), t.threshold.astype(np.float64),
                              t.children_left.astype(np.int64),
                              t.children_right.astype(np.int64),
                              t.value[:, 0, 0].astype(np.float64)).to_json())
        params = {"init": float(np.log(prior / (1 - prior))),
                  "learning_rate": float(estimator.learning_rate), "trees": trees}
        if motion is not None:
            params["motion"] = motion
        return FightModel(kind="gbm", params=params, **settings)
    scaler, logistic = estimator[0], estimator[-1]
    params = {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
              "coef": logistic.coef_[0].tolist(), "intercept": float(logistic.intercept_[0])}
    if motion is not None:
        params["motion"] = motion
    return FightModel(kind="logistic", params=params, **settings)
