"""Geometry helpers: IoU, polygon rasterisation, point lookups, square crops."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.core.geometry import (
    box_area,
    box_iou,
    clip_boxes,
    expand_boxes,
    points_in_mask,
    polygon_mask,
    polygons_mask,
    rel_to_abs,
    square_boxes,
    union_box,
)

SQUARE = [(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75)]
FULL = [(0, 0), (1, 0), (1, 1), (0, 1)]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([[0, 0, 2, 2]], [[0, 0, 2, 2]], [[1.0]]),
        ([[0, 0, 2, 2]], [[1, 0, 3, 2]], [[1 / 3]]),
        ([[0, 0, 2, 2]], [[2, 2, 4, 4]], [[0.0]]),  # touching corners
        ([[0, 0, 4, 4]], [[1, 1, 2, 2]], [[1 / 16]]),  # contained
        ([[0, 0, 0, 0]], [[0, 0, 0, 0]], [[0.0]]),  # empty union
        ([[0, 0, 2, 2], [10, 10, 12, 12]], [[1, 1, 3, 3]], [[1 / 7], [0.0]]),
    ],
)
def test_box_iou_table(a: list, b: list, expected: list) -> None:
    got = box_iou(np.array(a, np.float32), np.array(b, np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-6)


@pytest.mark.parametrize(("n", "m"), [(0, 3), (3, 0), (0, 0), (5, 7)])
def test_box_iou_shapes(n: int, m: int) -> None:
    rng = np.random.default_rng(0)
    a = np.sort(rng.uniform(0, 100, (n, 2, 2)), axis=1).transpose(0, 2, 1).reshape(n, 4)
    b = np.sort(rng.uniform(0, 100, (m, 2, 2)), axis=1).transpose(0, 2, 1).reshape(m, 4)
    iou = box_iou(a, b)
    assert iou.shape == (n, m)
    assert np.all((iou >= 0) & (iou <= 1))


def test_box_iou_rejects_bad_shape() -> None:
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        box_iou(np.zeros((2, 3)), np.zeros((1, 4)))


@pytest.mark.parametrize(
    ("points", "shape", "expected"),
    [
        ([(0.5, 0.25)], (100, 200), [[100.0, 25.0]]),
        ([(0, 0), (1, 1)], (480, 640), [[0.0, 0.0], [640.0, 480.0]]),
        ([], (10, 10), np.zeros((0, 2))),
    ],
)
def test_rel_to_abs(points: list, shape: tuple[int, int], expected: list) -> None:
    got = rel_to_abs(points, shape)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize(
    ("points", "shape", "area"),
    [
        (FULL, (48, 64), 48 * 64),
        (SQUARE, (40, 80), 20 * 40),
        ([(0, 0), (1, 0), (0, 1)], (100, 100), 5000),  # triangle, half the frame
    ],
)
def test_polygon_mask_area(points: list, shape: tuple[int, int], area: int) -> None:
    mask = polygon_mask(points, shape)
    assert mask.shape == shape and mask.dtype == bool
    assert abs(int(mask.sum()) - area) <= 0.03 * area + shape[0]


def test_polygon_mask_place_and_errors() -> None:
    mask = polygon_mask(SQUARE, (40, 80))
    assert mask[20, 40] and not mask[2, 2] and not mask[38, 78]
    with pytest.raises(ValueError, match="at least 3"):
        polygon_mask([(0, 0), (1, 1)], (10, 10))
    with pytest.raises(ValueError, match="shape_hw"):
        polygon_mask(SQUARE, (0, 10))


def test_polygons_mask_union_and_empty() -> None:
    left = [(0, 0), (0.5, 0), (0.5, 1), (0, 1)]
    right = [(0.5, 0), (1, 0), (1, 1), (0.5, 1)]
    assert polygons_mask([left, right], (10, 20)).all()
    assert not polygons_mask([], (10, 20)).any()


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        ((40.5, 20.5), True),
        ((1, 1), False),
        ((-5, 10), False),
        ((500, 10), False),
        ((79.9, 39.9), False),
    ],
)
def test_points_in_mask(point: tuple[float, float], inside: bool) -> None:
    mask = polygon_mask(SQUARE, (40, 80))
    assert points_in_mask(mask, [point]).tolist() == [inside]


def test_points_in_mask_many_and_empty() -> None:
    mask = polygon_mask(SQUARE, (40, 80))
    pts = np.stack(np.meshgrid(np.arange(80) + 0.5, np.arange(40) + 0.5), -1).reshape(-1, 2)
    assert points_in_mask(mask, pts).sum() == mask.sum()
    assert points_in_mask(mask, np.zeros((0, 2))).shape == (0,)
    with pytest.raises(ValueError):
        points_in_mask(mask, np.zeros((3, 3)))


@pytest.mark.parametrize(
    ("box", "shape", "min_side", "expected"),
    [
        ([0, 0, 10, 20], (100, 100), 40, [0, 0, 40, 40]),  # grown, pushed inside at the corner
        ([45, 45, 55, 55], (100, 100), 40, [30, 30, 70, 70]),  # centred
        ([90, 10, 100, 30], (100, 100), 0, [80, 10, 100, 30]),  # side = max(w, h), moved in
        ([10, 10, 20, 20], (300, 640), 416, [0, -58, 416, 358]),  # taller than frame: centred
        ([0, 0, 100, 50], (480, 640), 0, [0, 0, 100, 100]),
    ],
)
def test_square_boxes(box: list, shape: tuple[int, int], min_side: float, expected: list) -> None:
    got = square_boxes([box], shape, min_side)[0]
    np.testing.assert_allclose(got, expected)
    assert got[2] - got[0] == pytest.approx(got[3] - got[1])


def test_box_helpers() -> None:
    boxes = np.array([[-5, -5, 10, 10], [50, 60, 200, 300]], np.float32)
    np.testing.assert_allclose(clip_boxes(boxes, (100, 120)), [[0, 0, 10, 10], [50, 60, 120, 100]])
    np.testing.assert_allclose(box_area(boxes), [225, 36000])
    np.testing.assert_allclose(expand_boxes([[10, 10, 20, 30]], 0.1, 3), [[7, 7, 23, 33]])
    np.testing.assert_allclose(union_box(boxes), [-5, -5, 200, 300])
    with pytest.raises(ValueError):
        union_box(np.zeros((0, 4)))
