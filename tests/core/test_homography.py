"""Ground-plane homography: exact fits, least squares, collinear and degenerate points."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.core.homography import apply_homography, collinear_triple, fit_homography

# A trapezoid in the image (a road seen in perspective) and a 10 m x 30 m rectangle.
IMAGE = [(0.1, 0.9), (0.9, 0.9), (0.6, 0.4), (0.4, 0.4)]
GROUND = [(0.0, 0.0), (10.0, 0.0), (10.0, 30.0), (0.0, 30.0)]


def test_four_points_fit_exactly_and_map_between_them() -> None:
    fit = fit_homography(IMAGE, GROUND)
    assert fit.rms_m == pytest.approx(0, abs=1e-9)
    assert fit.to_ground(IMAGE) == pytest.approx(np.asarray(GROUND), abs=1e-9)
    # the image centre line maps to X = 5 m at every depth
    mid = fit.to_ground([(0.5, 0.9), (0.5, 0.6), (0.5, 0.4)])
    assert mid[:, 0] == pytest.approx([5.0, 5.0, 5.0])
    assert list(mid[:, 1]) == sorted(mid[:, 1])  # farther up the image = farther away


def test_extra_points_average_and_report_their_residual() -> None:
    truth = fit_homography(IMAGE, GROUND).matrix
    rng = np.random.default_rng(0)
    image = rng.uniform(0.3, 0.9, (12, 2))
    ground = apply_homography(truth, image) + rng.normal(0, 0.1, (12, 2))
    fit = fit_homography(image, ground)
    assert 0.03 < fit.rms_m < 0.3  # 0.1 m noise per axis; DLT is near least squares
    assert fit.max_m >= fit.rms_m


@pytest.mark.parametrize(
    ("image", "ground", "message"),
    [
        (IMAGE[:3], GROUND[:3], "at least 4 points"),
        (IMAGE, GROUND[:3], "4 image points but 3 ground"),
        ([(0, 0), (0.5, 0.5), (1, 1), (0, 1)], GROUND, "image points [0, 1, 2] are collinear"),
        (IMAGE, [(0, 0), (1, 0), (2, 0), (0, 5)], "ground points [0, 1, 2] are collinear"),
        (IMAGE, [(0, 0), (0, 0), (0, 0), (0, 0)], "ground points [0, 1, 2] are collinear"),
    ],
)
def test_bad_points_are_refused(image: list, ground: list, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        fit_homography(image, ground)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([(0, 0), (1, 0), (1, 1), (0, 1)], None),
        ([(0, 0), (1, 0), (2, 0), (0, 1)], (0, 1, 2)),
        # several marks on one lane line are fine when 4 points are in general position
        ([(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 3)], None),
        # all on two lines but only one point off the first: no usable 4
        ([(0, 0), (0, 1), (0, 2), (0, 3), (1, 0)], (0, 1, 2)),
    ],
)
def test_collinear_triple(points: list, expected: tuple[int, int, int] | None) -> None:
    assert collinear_triple(points) == expected
