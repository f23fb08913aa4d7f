"""NMS, resizing and region merging (pure numpy; no model)."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.core.types import Detections
from kuzet.detect.base import COCO_CLASSES, DetectorOptions
from kuzet.detect.postprocess import batched_nms, finish, nms, resize_to
from kuzet.detect.regions import detect_in_regions, extract_region


def boxes(*rows: tuple[float, float, float, float]) -> np.ndarray:
    return np.asarray(rows, np.float32)


@pytest.mark.parametrize(
    ("iou", "expected"),
    [(0.5, [0, 2]), (0.95, [0, 1, 2])],
)
def test_nms(iou: float, expected: list[int]) -> None:
    b = boxes((0, 0, 10, 10), (1, 1, 10, 10), (20, 20, 30, 30))
    assert nms(b, np.array([0.9, 0.8, 0.7], np.float32), iou).tolist() == expected


def test_batched_nms_keeps_other_classes_and_agnostic_pass_removes_them() -> None:
    b = boxes((0, 0, 100, 50), (2, 0, 100, 50))
    scores = np.array([0.9, 0.6], np.float32)
    classes = np.array([2, 7], np.int64)  # car, truck on one vehicle
    assert batched_nms(b, scores, classes, 0.5).tolist() == [0, 1]
    found = finish(b, scores, classes, DetectorOptions(), COCO_CLASSES)
    assert found.labels == ["car"]


@pytest.mark.parametrize("keep_aspect", [False, True])
def test_resize_mapping_round_trips(keep_aspect: bool) -> None:
    image = np.zeros((300, 600, 3), np.uint8)
    out, mapping = resize_to(image, 416, 416, keep_aspect)
    assert out.shape == (416, 416, 3)
    box = boxes((60, 30, 120, 90))
    model_box = box.copy()
    model_box[:, [0, 2]] = box[:, [0, 2]] * mapping.scale_x + mapping.pad_x
    model_box[:, [1, 3]] = box[:, [1, 3]] * mapping.scale_y + mapping.pad_y
    np.testing.assert_allclose(mapping.to_image(model_box), box, atol=1e-3)


def test_extract_region_pads_outside_the_frame() -> None:
    image = np.full((100, 100, 3), 7, np.uint8)
    crop, x0, y0 = extract_region(image, np.array([-10, 80, 40, 130], np.float32))
    assert crop.shape == (50, 50, 3) and (x0, y0) == (-10, 80)
    assert crop[0, 0, 0] == 114 and crop[5, 15, 0] == 7


def test_regions_map_back_and_merge_duplicates() -> None:
    image = np.zeros((200, 400, 3), np.uint8)

    def run(crop: np.ndarray) -> Detections:  # one object at crop pixels (10,10)-(30,40)
        return Detections(xyxy=boxes((10, 10, 30, 40)), score=[0.8], class_id=[0],
                          class_names=COCO_CLASSES)

    regions = boxes((100, 50, 200, 150), (101, 50, 201, 150), (0, 0, 50, 50))
    found = detect_in_regions(run, image, regions, DetectorOptions(), COCO_CLASSES)
    assert len(found) == 2
    np.testing.assert_allclose(sorted(found.xyxy.tolist()),
                               [[10, 10, 30, 40], [110, 60, 130, 90]])


def test_bad_regions_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"\(M, 4\)"):
        detect_in_regions(lambda c: Detections.empty(), np.zeros((9, 9, 3), np.uint8),
                          np.zeros((2, 3), np.float32), DetectorOptions(), COCO_CLASSES)
