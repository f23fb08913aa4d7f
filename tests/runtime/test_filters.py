import numpy as np
import pytest

from kuzet.config.detect import DetectConfig
from kuzet.core.types import Detections
from kuzet.runtime.filters import DetectionFilter

NAMES = ("person", "bicycle", "car")


def _dets(rows: list[tuple[int, float, float]]) -> Detections:
    """rows: (class_id, score, side in pixels) of square boxes at the origin."""
    return Detections(
        xyxy=np.array([[0, 0, s, s] for _, _, s in rows], np.float32).reshape(-1, 4),
        score=[r[1] for r in rows],
        class_id=[r[0] for r in rows],
        class_names=NAMES,
    )


@pytest.mark.parametrize(
    ("cfg", "rows", "kept"),
    [
        ({"classes": ["person"]}, [(0, 0.9, 10), (2, 0.9, 10)], [0]),
        ({"classes": ["person", "car"], "min_score": 0.5}, [(0, 0.4, 10), (2, 0.6, 10)], [2]),
        (
            {"classes": ["car"], "filters": {"car": {"min_score": 0.8}}},
            [(2, 0.7, 10), (2, 0.85, 10)],
            [2],
        ),
        # frame is 100x100: a 10x10 box is 1% of the area
        (
            {"classes": ["person"], "filters": {"person": {"min_area": 0.02}}},
            [(0, 0.9, 10), (0, 0.9, 20)],
            [0],
        ),
        (
            {"classes": ["person"], "filters": {"person": {"max_area": 0.02}}},
            [(0, 0.9, 10), (0, 0.9, 20)],
            [0],
        ),
    ],
)
def test_filter_keeps_expected_rows(cfg: dict, rows: list, kept: list[int]) -> None:
    out = DetectionFilter(DetectConfig.model_validate(cfg), NAMES)(_dets(rows), 100 * 100)
    assert out.class_id.tolist() == kept
    assert len(out) == 1


def test_unknown_class_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown class names \\['pedestrian'\\]"):
        DetectionFilter(DetectConfig(classes=["pedestrian"]), NAMES)
