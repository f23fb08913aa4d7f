"""The annotator draws on a copy and handles keypoints, landmarks and text."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.core.types import Detections
from kuzet.render.draw import annotate


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"keypoints": np.tile(np.array([[[30, 40, 0.9]]], np.float32), (1, 17, 1))},
        {"landmarks": np.full((1, 5, 2), 35, np.float32)},
        {"text": np.array(["KZ 123"], dtype=object)},
    ],
)
def test_annotate_draws_on_a_copy(attrs) -> None:
    image = np.zeros((100, 100, 3), np.uint8)
    found = Detections(xyxy=[[20, 20, 60, 80]], score=[0.9], class_id=[0], attrs=attrs,
                       class_names=("person",))
    out = annotate(image, found)
    assert out.shape == image.shape and out.any() and not image.any()
