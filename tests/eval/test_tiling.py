"""Tiled detection: tile layout, cut-box removal, merge, people counts."""

from __future__ import annotations

import numpy as np
import pytest

from factories import make_detections
from kuzet.core.types import Detections, FloatArray, Image
from kuzet.detect.base import COCO_CLASSES, DetectorInfo
from kuzet.detect.tiling import FULL_FRAME, TileSpec, count_people, detect_tiled, tile_boxes


@pytest.mark.parametrize(
    ("shape", "grid", "overlap", "count"),
    [
        ((768, 1024), 2, 0.25, 4),
        ((768, 1024), 3, 0.25, 6),
        ((360, 640), 2, 0.0, 4),
        ((100, 100), 1, 0.2, 1),
    ],
)
def test_tiles_cover_the_frame(
    shape: tuple[int, int], grid: int, overlap: float, count: int
) -> None:
    tiles = tile_boxes(shape, grid, overlap)
    assert len(tiles) == count
    h, w = shape
    assert tiles[:, 0].min() == 0 and tiles[:, 1].min() == 0
    assert tiles[:, 2].max() == pytest.approx(w) and tiles[:, 3].max() == pytest.approx(h)
    sides = tiles[:, 2:] - tiles[:, :2]
    assert np.allclose(sides, sides[0], atol=0.5)


@pytest.mark.parametrize(
    "spec_args", [{"grids": (0,)}, {"overlap": 0.8}, {"grids": (), "full_frame": False}]
)
def test_tile_spec_validates(spec_args: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        TileSpec(**spec_args)  # type: ignore[arg-type]


class ScriptedDetector:
    """Returns fixed frame-pixel boxes, restricted to the requested region."""

    info = DetectorInfo(COCO_CLASSES, (416, 416))

    def __init__(self, boxes: list[list[float]], scores: list[float]) -> None:
        self.boxes = np.asarray(boxes, np.float32)
        self.scores = scores
        self.calls = 0

    def detect(self, image: Image, regions: FloatArray | None = None) -> Detections:
        self.calls += 1
        dets: Detections = make_detections(self.boxes.tolist(), scores=self.scores)
        if regions is None:
            return dets
        x1, y1, x2, y2 = regions[0]
        clipped = np.clip(dets.xyxy, [x1, y1, x1, y1], [x2, y2, x2, y2])
        keep = (clipped[:, 2] - clipped[:, 0] > 1) & (clipped[:, 3] - clipped[:, 1] > 1)
        kept: Detections = dets.with_columns(xyxy=clipped)[keep]
        return kept


def test_detect_tiled_merges_duplicates_and_drops_cut_boxes() -> None:
    image = np.zeros((400, 800, 3), np.uint8)
    # one person well inside the left tile, one straddling the centre line
    det = ScriptedDetector([[50, 50, 90, 200], [380, 100, 420, 250]], [0.9, 0.8])
    found = detect_tiled(image, det, tiles=TileSpec(grids=(2,), overlap=0.25))
    assert det.calls == 1 + len(tile_boxes((400, 800), 2, 0.25))
    assert len(found) == 2
    assert found.class_names == COCO_CLASSES


def test_partial_view_nested_in_a_full_box_is_one_person() -> None:
    image = np.zeros((400, 400, 3), np.uint8)
    det = ScriptedDetector([[100, 50, 160, 350], [102, 52, 158, 180]], [0.9, 0.6])
    assert count_people(image, det, tiles=FULL_FRAME) == 1


def test_person_behind_a_person_is_kept() -> None:
    image = np.zeros((400, 400, 3), np.uint8)
    # a narrow, lower box inside a wide near person: a different person
    det = ScriptedDetector([[100, 50, 250, 390], [160, 120, 190, 200]], [0.9, 0.6])
    assert count_people(image, det, tiles=FULL_FRAME) == 2


def test_count_people_counts_people_only_above_min_score() -> None:
    image = np.zeros((200, 200, 3), np.uint8)
    det = ScriptedDetector([[0, 0, 50, 50], [100, 100, 150, 150]], [0.9, 0.4])
    assert count_people(image, det, tiles=FULL_FRAME) == 2
    assert count_people(image, det, tiles=FULL_FRAME, min_score=0.5) == 1
