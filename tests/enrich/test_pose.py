"""MoveNet multipose decoding (synthetic, golden) and the installed model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kuzet.core.errors import ModelError
from kuzet.enrich.pose.movenet import (
    EMBEDDING_DIM,
    decode,
    letterbox_top_left,
    pooled_embedding,
    with_backbone_output,
)

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


def test_pooled_embedding_ignores_the_letterbox_padding() -> None:
    # A 256 input holding a 640x360 frame scaled to 256x144: feature rows 0-4 of 8
    # (stride 32) cover the picture, rows 5-7 only black padding.
    features = np.full((1, 4, 8, 8), 100.0, np.float32)
    features[0, :, :5, :] = np.arange(4, dtype=np.float32)[:, None, None]
    pooled = pooled_embedding(features, (144.0, 256.0), 256)
    np.testing.assert_array_equal(pooled, [0, 1, 2, 3])


def test_backbone_output_missing_is_a_clear_error(tmp_path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    path = tmp_path / "other.onnx"
    onnx.save(helper.make_model(graph), str(path))
    with pytest.raises(ModelError, match="no backbone tensor"):
        with_backbone_output(path)


@pytest.mark.models
def test_installed_movenet_embedding_moves_with_the_scene(sample_video: Path) -> None:
    from kuzet.cli.detect import read_frame
    from kuzet.enrich.pose.movenet import PoseEstimator
    from kuzet.models.paths import find_model

    path = find_model("movenet-multipose")
    if path is None:
        pytest.skip("movenet-multipose not installed (run `kuzet models install`)")
    pose = PoseEstimator(path, threads=2)
    a = read_frame(sample_video, 200)
    first, again = pose.detect_frame(a), pose.detect_frame(a.copy())
    later = pose.detect_frame(read_frame(sample_video, 260))
    assert first.embedding.shape == (EMBEDDING_DIM,) and np.isfinite(first.embedding).all()
    np.testing.assert_allclose(first.embedding, again.embedding, atol=1e-5)
    assert np.abs(later.embedding - first.embedding).mean() > 1e-3
    assert len(first.poses) == len(pose.detect(a))
