"""MotionDetector on synthetic frames: a moving square, masks, global changes."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.config.geometry import MaskConfig
from kuzet.config.motion import MotionConfig
from kuzet.core.geometry import box_iou
from kuzet.core.types import Frame
from kuzet.motion import MotionDetector

H, W = 480, 640


def make_frame(seq: int, square: tuple[int, int, int] | None = None, level: int = 40) -> Frame:
    """A flat frame with an optional bright square (x, y, side) on it."""
    image = np.full((H, W, 3), level, np.uint8)
    if square is not None:
        x, y, side = square
        image[y : y + side, x : x + side] = 230
    return Frame("cam", seq, seq * 0.2, 1000.0 + seq * 0.2, image)


def run(cfg: MotionConfig, squares: list[tuple[int, int, int] | None]) -> list:
    detector = MotionDetector(cfg, (H, W))
    return [detector.detect(make_frame(i, sq)) for i, sq in enumerate(squares)]


def moving(start_x: int, y: int, side: int, n: int, step: int = 20) -> list:
    """Two empty frames (the background), then a square moving right for n frames."""
    return [None, None, *((start_x + i * step, y, side) for i in range(n))]


def test_static_scene_has_no_motion() -> None:
    results = run(MotionConfig(), [None] * 5)
    assert all(len(m.boxes) == 0 and m.changed_fraction == 0 for m in results)
    assert all(m.regions.shape == (0, 4) and not m.full_frame for m in results)


@pytest.mark.parametrize(("x", "y", "side"), [(100, 200, 60), (400, 50, 40), (20, 380, 80)])
def test_finds_the_moving_square(x: int, y: int, side: int) -> None:
    results = run(MotionConfig(), moving(x, y, side, 6))
    assert all(len(m.boxes) == 0 for m in results[:2])  # the background
    last = results[-1]
    assert len(last.boxes) == 1
    sx = x + 5 * 20
    truth = np.array([[sx, y, sx + side, y + side]], np.float32)
    # one box on the square's current place plus a short trail behind it, in frame pixels
    assert box_iou(last.boxes, truth)[0, 0] > 0.25
    pad, trail = 16, 3 * 20
    box = last.boxes[0]
    assert sx - trail - pad <= box[0] <= sx and y - pad <= box[1] <= y
    assert sx + side <= box[2] <= sx + side + pad and y + side <= box[3] <= y + side + pad
    assert 0 < last.changed_fraction < 0.2


@pytest.mark.parametrize(
    ("mask", "found"),
    [
        ([(0.0, 0.0), (0.6, 0.0), (0.6, 1.0), (0.0, 1.0)], False),  # covers the square's path
        ([(0.7, 0.0), (1.0, 0.0), (1.0, 1.0), (0.7, 1.0)], True),  # elsewhere
    ],
)
def test_masks_suppress_motion(mask: list, found: bool) -> None:
    cfg = MotionConfig(masks=[MaskConfig(points=mask)])
    results = run(cfg, moving(100, 200, 60, 6))
    assert (len(results[-1].boxes) > 0) is found


def test_small_blobs_are_dropped() -> None:
    tiny = run(MotionConfig(min_area=0.01), moving(100, 200, 8, 5, step=10))
    assert len(tiny[-1].boxes) == 0
    kept = run(MotionConfig(min_area=0.0005), moving(100, 200, 8, 5, step=10))
    assert len(kept[-1].boxes) == 1


def test_global_change_resets_the_background() -> None:
    detector = MotionDetector(MotionConfig(), (H, W))
    for i in range(3):
        detector.detect(make_frame(i, level=40))
    lights = detector.detect(make_frame(3, level=160))
    assert lights.changed_fraction > 0.9 and len(lights.boxes) == 0
    after = detector.detect(make_frame(4, level=160))
    assert after.changed_fraction == 0 and len(after.boxes) == 0


def test_frame_size_change_rebuilds_state() -> None:
    detector = MotionDetector(MotionConfig(), (240, 320))
    motion = detector.detect(make_frame(0, (10, 10, 40)))
    assert detector.frame_shape == (H, W) and len(motion.boxes) == 0
    with pytest.raises(ValueError):
        MotionDetector(MotionConfig(), (0, 10))
