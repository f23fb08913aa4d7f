"""Evidence snapshots: decodable JPEGs of the right size, boxes drawn, input checked."""

from __future__ import annotations

import numpy as np
import pytest

from factories import make_frame
from kuzet.render.jpeg import decode_jpeg
from kuzet.render.snapshot import render_snapshot


@pytest.mark.parametrize(
    ("shape", "max_width", "expected_hw"),
    [
        ((480, 640), 1280, (480, 640)),
        ((1080, 1920), 1280, (720, 1280)),
        ((480, 640), 320, (240, 320)),
    ],
)
def test_snapshot_decodes_to_an_image_of_the_right_size(
    shape: tuple[int, int], max_width: int, expected_hw: tuple[int, int]
) -> None:
    image = make_frame(shape=shape).image
    before = image.copy()
    h, w = shape
    boxes = [[w * 0.1, h * 0.2, w * 0.3, h * 0.6], [w * 0.5, h * 0.5, w * 0.7, h * 0.9]]
    zone = [[0, 0], [w / 2, 0], [w / 2, h - 1], [0, h - 1]]
    jpeg = render_snapshot(image, boxes, ["person #1", "car #2"], zone, 85, max_width)
    decoded = decode_jpeg(jpeg)
    assert decoded.shape == (*expected_hw, 3)
    np.testing.assert_array_equal(image, before)  # the frame is not drawn on
    # the box outline is drawn in a bright red at the scaled position
    scale = expected_hw[1] / w
    x, y = int(boxes[0][0] * scale), int((boxes[0][1] + boxes[0][3]) / 2 * scale)
    b, g, r = decoded[y, x].astype(int)
    assert r > 200 and g < 80 and b < 80


def test_snapshot_without_objects_or_zone_and_bad_input() -> None:
    image = make_frame(shape=(120, 160)).image
    jpeg = render_snapshot(image, np.zeros((0, 4)), [], None, 50, 1280)
    assert jpeg[:2] == b"\xff\xd8"
    with pytest.raises(ValueError, match="labels"):
        render_snapshot(image, [[0, 0, 10, 10]], [], None, 85, 1280)
    with pytest.raises(ValueError, match="HxWx3"):
        render_snapshot(image[..., 0], [], [], None, 85, 1280)
