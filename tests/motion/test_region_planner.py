"""RegionPlanner: square crops around motion and tracks, full-frame passes."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.core.types import Motion
from kuzet.motion import RegionPlanner

NO_TRACKS = np.zeros((0, 4), np.float32)


def motion(*boxes: tuple[float, float, float, float]) -> Motion:
    arr = np.array(boxes, np.float32).reshape(-1, 4)
    return Motion(boxes=arr, regions=np.zeros((0, 4), np.float32), changed_fraction=0.01)


def planner_after_full(shape: tuple[int, int], **kwargs: object) -> RegionPlanner:
    """A planner whose first (always full-frame) pass has happened at ts 0."""
    planner = RegionPlanner(416, **kwargs)  # type: ignore[arg-type]
    assert planner.plan(motion(), NO_TRACKS, shape, 0.0).full_frame
    return planner


def covers(regions: np.ndarray, box: tuple[float, ...]) -> bool:
    x1, y1, x2, y2 = box
    return bool(
        np.any(
            (regions[:, 0] <= x1)
            & (regions[:, 1] <= y1)
            & (regions[:, 2] >= x2)
            & (regions[:, 3] >= y2)
        )
    )


@pytest.mark.parametrize(
    ("shape", "boxes", "n_regions"),
    [
        ((720, 1280), [(100, 100, 150, 200)], 1),
        ((720, 1280), [(100, 100, 150, 200), (200, 150, 260, 260)], 1),  # near: one crop
        ((720, 1280), [(10, 10, 60, 60), (1200, 600, 1270, 700)], 2),  # far apart: two
        ((480, 640), [(300, 200, 340, 260)], 1),
        ((1080, 1920), [(0, 0, 30, 30), (1800, 0, 1900, 90), (900, 1000, 950, 1070)], 3),
    ],
)
def test_regions_are_squares_of_model_size_covering_motion(
    shape: tuple[int, int], boxes: list, n_regions: int
) -> None:
    plan = planner_after_full(shape).plan(motion(*boxes), NO_TRACKS, shape, 0.2)
    assert not plan.full_frame
    assert plan.regions.shape == (n_regions, 4) and plan.regions.dtype == np.float32
    sides = plan.regions[:, 2:] - plan.regions[:, :2]
    np.testing.assert_allclose(sides[:, 0], sides[:, 1])
    assert np.all(sides >= 416)
    h, w = shape
    assert np.all(plan.regions[:, :2] >= 0)
    assert np.all(plan.regions[:, 2] <= w) and np.all(plan.regions[:, 3] <= h)
    assert all(covers(plan.regions, b) for b in boxes)
    np.testing.assert_array_equal(plan.boxes, motion(*boxes).boxes)  # motion kept as is


def test_live_tracks_get_a_region_with_a_margin() -> None:
    shape = (720, 1280)
    track = np.array([[600, 300, 640, 400]], np.float32)
    plan = planner_after_full(shape).plan(motion(), track, shape, 0.2)
    assert plan.regions.shape == (1, 4)
    assert covers(plan.regions, (590, 275, 650, 425))  # 25% margin each side


def test_nothing_to_look_at_gives_no_regions() -> None:
    plan = planner_after_full((480, 640)).plan(motion(), NO_TRACKS, (480, 640), 0.2)
    assert plan.regions.shape == (0, 4) and not plan.full_frame


@pytest.mark.parametrize(
    ("shape", "boxes"),
    [
        ((480, 640), [(10, 10, 40, 40), (600, 440, 630, 470)]),  # 2 crops > frame area
        ((2160, 3840), [(i * 700, 100, i * 700 + 20, 120) for i in range(5)]),  # > 4 crops
        ((480, 640), [(0, 0, 600, 470)]),  # one huge blob
    ],
)
def test_too_much_work_becomes_a_full_frame(shape: tuple[int, int], boxes: list) -> None:
    plan = planner_after_full(shape).plan(motion(*boxes), NO_TRACKS, shape, 0.2)
    assert plan.full_frame
    np.testing.assert_array_equal(plan.regions, [[0, 0, shape[1], shape[0]]])


def test_full_frame_every_interval() -> None:
    planner = RegionPlanner(416, full_frame_interval=2.0)
    shape = (720, 1280)
    stamps = [round(i * 0.2, 1) for i in range(26)]  # 0 .. 5 s at 5 fps
    full = [
        ts for ts in stamps if planner.plan(motion((5, 5, 9, 9)), NO_TRACKS, shape, ts).full_frame
    ]
    assert full == [0.0, 2.0, 4.0]
    # a new source (time going back) starts with a full frame
    assert planner.plan(motion(), NO_TRACKS, shape, 0.0).full_frame


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="model_size"):
        RegionPlanner(0)
