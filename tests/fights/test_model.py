"""The JSON fight model: exact round trip with scikit-learn, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kuzet.core.errors import ModelError
from kuzet.fights.features import FEATURE_NAMES, HAND_NAMES
from kuzet.fights.model import SHIPPED_MODEL, FightModel, from_sklearn, motion_head
from kuzet.fights.training import make_estimator, make_motion_estimator, metrics, roc_auc

pytest.importorskip("sklearn")


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, len(FEATURE_NAMES))).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 5] - x[:, 40] + rng.normal(0, 0.5, 300) > 0).astype(int)
    return x, y


@pytest.mark.parametrize("kind", ["gbm", "logistic"])
def test_json_model_equals_sklearn(kind: str, tmp_path: Path) -> None:
    x, y = _data(1)
    est = make_estimator(kind, seed=0)
    est.fit(x, y)
    path = tmp_path / "m.json"
    from_sklearn(est, threshold=0.4).save(path)
    loaded = FightModel.load(path)
    test, _ = _data(2)
    np.testing.assert_allclose(loaded.predict_proba(test), est.predict_proba(test)[:, 1],
                               rtol=1e-6, atol=1e-9)
    assert loaded.threshold == 0.4 and loaded.kind == kind


def _motion_data(seed: int, mixing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hand-made columns are noise; the motion columns mix 3 latent factors, the
    first of which is the label (like embedding channels moving together)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, len(FEATURE_NAMES))).astype(np.float32)
    latent = rng.normal(size=(300, 3))
    x[:, len(HAND_NAMES):] = latent @ mixing + rng.normal(0, 0.3, (300, mixing.shape[1]))
    return x, (latent[:, 0] > 0).astype(int)


def test_motion_head_collapses_scaler_pca_logistic_exactly(tmp_path: Path) -> None:
    hand = len(HAND_NAMES)
    mixing = np.random.default_rng(0).normal(size=(3, len(FEATURE_NAMES) - hand))
    x, y = _motion_data(3, mixing)
    main = make_estimator("gbm", seed=0).fit(x[:, :hand], y)
    motion = make_motion_estimator(len(x)).fit(x[:, hand:], y)
    path = tmp_path / "m.json"
    from_sklearn(main, motion_head(motion, 0.7)).save(path)
    loaded = FightModel.load(path)
    test, truth = _motion_data(4, mixing)
    raw = (0.3 * main.decision_function(test[:, :hand])
           + 0.7 * motion.decision_function(test[:, hand:]))
    got = loaded.predict_proba(test)
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-raw)), rtol=1e-5, atol=1e-7)
    assert ((got >= 0.5) == truth).mean() > 0.85  # the head carries the label


def test_clip_score_aggregates() -> None:
    model = FightModel(kind="logistic", params={"mean": [0.0], "scale": [1.0], "coef": [0.0],
                                                "intercept": 0.0}, aggregate="max")
    assert model.clip_score(np.array([0.2, 0.9, 0.4])) == 0.9
    assert model.clip_score(np.array([])) == 0.0


def test_bad_model_files(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        FightModel.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(ModelError, match="cannot read"):
        FightModel.load(bad)
    bad.write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(ModelError, match="not a Kuzet fight model"):
        FightModel.load(bad)
    with pytest.raises(ModelError, match="retrain"):
        FightModel(kind="logistic", params={}, feature_version=-1)


def test_shipped_model_loads_and_is_small() -> None:
    assert SHIPPED_MODEL.is_file(), "the shipped fight model is missing"
    assert SHIPPED_MODEL.stat().st_size < 2_000_000
    model = FightModel.load()
    p = model.predict_proba(np.zeros((3, len(FEATURE_NAMES)), np.float32))
    assert p.shape == (3,) and ((p >= 0) & (p <= 1)).all()
    report = SHIPPED_MODEL.with_name("fight_model_report.json")
    assert json.loads(report.read_text(encoding="utf-8"))["cv"]["accuracy"] > 0.5


def test_metrics() -> None:
    labels = np.array([1, 1, 0, 0])
    scores = np.array([0.9, 0.3, 0.6, 0.1])
    m = metrics(labels, scores, 0.5)
    assert m["confusion"] == {"tp": 1, "fp": 1, "fn": 1, "tn": 1}
    assert m["accuracy"] == 0.5 and m["roc_auc"] == 0.75
    assert roc_auc(np.array([1, 1]), np.array([0.1, 0.2])) != roc_auc(labels, scores)
