"""MoveNet multipose decoding (synthetic, golden) and the installed model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kuzet.enrich.pose.movenet import decode, letterbox_top_left

GOLDEN = Path(__file__).resolve().parents[3] / "shared" / "golden" / "movenet-multipose.npz"


def test_decode_swaps_y_x_and_scales_to_pixels() -> None:
    raw = np.zeros((1, 6, 56), np.float32)
    raw[0, 0, :51] = np.tile([0.25, 0.5, 0.9], 17)  # y, x, score
    raw[0, 0, 51:55] = [0.1, 0.2, 0.6, 0.8]  # ymin, xmin, ymax, xmax
    raw[0, 0, 55] = 0.7
    raw[0, 1, 55] = 0.05  # below min score
    found = decode(raw, size=256, scale=0.5, min_score=0.2)  # image was 512 px
    assert len(found) == 1 and found.labels == ["person"]
    np.testing.assert_allclose(found.attrs["keypoints"][0, 0], [256, 128, 0.9], rtol=1e-6)
    np.testing.assert_allclose(found.xyxy[0], [102.4, 51.2, 409.6, 307.2], rtol=1e-5)


def test_letterbox_top_left() -> None:
    padded, scale = letterbox_top_left(np.full((100, 200, 3), 9, np.uint8), 256)
    assert padded.shape == (256, 256, 3) and scale == pytest.approx(1.28)
    assert padded[0, 0, 0] == 9 and padded[200, 0, 0] == 0


@pytest.mark.shared
def test_golden_output_has_people_on_vtest() -> None:
    if not GOLDEN.is_file():
        pytest.skip(f"{GOLDEN} not found")
    raw = np.load(GOLDEN)["out:output_0"]
    found = decode(raw, size=256, scale=256 / 768, min_score=0.15)
    assert len(found) == 5  # five of the people, 70-110 px tall, score 0.17-0.21
    assert float(found.xyxy[:, 2].max()) <= 800


@pytest.mark.models
def test_installed_movenet_on_vtest(sample_video: Path) -> None:
    from kuzet.cli.detect import read_frame
    from kuzet.enrich.pose.movenet import PoseEstimator
    from kuzet.models.paths import find_model

    path = find_model("movenet-multipose")
    if path is None:
        pytest.skip("movenet-multipose not installed (run `kuzet models install`)")
    found = PoseEstimator(path, threads=2).detect(read_frame(sample_video, 200))
    assert len(found) >= 2 and found.attrs["keypoints"].shape[1:] == (17, 3)
