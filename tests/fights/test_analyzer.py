"""FightAnalyzer: the live-facing hand-off (windows, scores, reset)."""

from __future__ import annotations

import numpy as np

from kuzet.core.fight import FightWindow
from kuzet.core.types import Detections, Frame
from kuzet.fights.analyzer import FightAnalyzer
from kuzet.fights.features import FEATURE_NAMES
from kuzet.fights.model import FightModel


def _constant_model(logit: float) -> FightModel:
    n = len(FEATURE_NAMES)
    return FightModel(kind="logistic", threshold=0.5,
                      params={"mean": [0.0] * n, "scale": [1.0] * n, "coef": [0.0] * n,
                              "intercept": logit})


def test_windows_scores_and_reset() -> None:
    analyzer = FightAnalyzer(_constant_model(2.0), fps=10, window_s=1.0, stride_s=0.5)
    assert analyzer.fps == 10 and analyzer.threshold == 0.5
    image = np.zeros((90, 160, 3), np.uint8)
    empty = Detections.empty(("person",))
    out = [analyzer.update(Frame("c", k, k / 25, 100 + k / 25, image), empty) for k in range(75)]
    windows = [w for w in out if w is not None]
    assert [round(w.ts, 1) for w in windows] == [0.9, 1.4, 1.9, 2.4, 2.9]
    assert all(isinstance(w, FightWindow) for w in windows)
    assert abs(windows[0].score - 1 / (1 + np.exp(-2.0))) < 1e-9
    assert windows[0].people == 0 and windows[0].boxes.shape == (0, 4)
    assert windows[0].wall == 100 + windows[0].ts
    assert analyzer.flush() is None  # a full window was produced
    analyzer.reset()
    assert analyzer.update(Frame("c", 0, 50.0, 150.0, image), empty) is None
    short = analyzer.flush()  # one frame only: a partial window on request
    assert short is not None and short.ts == 50.0


def test_shipped_model_is_the_default() -> None:
    analyzer = FightAnalyzer()
    assert analyzer.window_s > 0 and analyzer.stride_s > 0
    assert 0 < analyzer.threshold < 1
