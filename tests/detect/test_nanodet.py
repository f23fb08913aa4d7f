"""NanoDet decoding (synthetic and on golden outputs) and the installed model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kuzet.detect.base import DetectorOptions
from kuzet.detect.nanodet import INPUT_SIZE, decode, detections_from_outputs, preprocess
from kuzet.detect.postprocess import Resize

GOLDEN = Path(__file__).resolve().parents[3] / "shared" / "golden" / "nanodet.npz"
COUNTS = {8: 2704, 16: 676, 32: 169}


def synthetic_outputs(stride: int, index: int, cls: int, dist: tuple[int, ...]) -> dict:
    """All scores 0 except one anchor; its distributions peak on ``dist`` bins."""
    outputs = {}
    for i, (s, n) in enumerate(COUNTS.items()):
        scores = np.zeros((1, n, 80), np.float32)
        reg = np.full((1, n, 44), -50.0, np.float32)
        if s == stride:
            scores[0, index, cls] = 0.9
            for side, b in enumerate(dist):
                reg[0, index, side * 11 + b] = 50.0
        outputs[f"Identity_{i}:0"] = scores
        outputs[f"Identity_{i + 3}:0"] = reg
    return outputs


def test_decode_uses_anchor_centre_and_stride() -> None:
    # stride 16, grid 26: index 27 is row 1, column 1 -> centre (24, 24)
    boxes, scores = decode(synthetic_outputs(16, 27, 0, (1, 1, 2, 3)))
    best = int(scores[:, 0].argmax())
    np.testing.assert_allclose(boxes[best], [24 - 16, 24 - 16, 24 + 32, 24 + 48], atol=1e-3)


def test_detections_map_to_image_pixels() -> None:
    outputs = synthetic_outputs(16, 27, 2, (1, 1, 2, 3))
    found = detections_from_outputs(outputs, Resize(0.5, 0.5), (832, 832), DetectorOptions())
    assert found.labels == ["car"]
    np.testing.assert_allclose(found.xyxy[0], [16, 16, 112, 144], atol=1e-2)


def test_preprocess_layout() -> None:
    blob, mapping = preprocess(np.zeros((100, 200, 3), np.uint8))
    assert blob.shape == (1, 3, INPUT_SIZE, INPUT_SIZE) and blob.dtype == np.float32
    assert blob[0, 0, 0, 0] == pytest.approx((114 - 103.53) / 57.375)  # letterbox padding
    assert blob[0, 0, 208, 0] == pytest.approx(-103.53 / 57.375)  # the image
    assert mapping.scale_x == mapping.scale_y == pytest.approx(INPUT_SIZE / 200)
    assert mapping.pad_y == 104
    _, stretched = preprocess(np.zeros((100, 200, 3), np.uint8), keep_aspect=False)
    assert stretched.scale_y == pytest.approx(INPUT_SIZE / 100)


@pytest.mark.shared
def test_golden_outputs_decode_to_people_on_vtest() -> None:
    """Reference outputs of vtest.avi frame 200 (768x576 stretched to 416)."""
    if not GOLDEN.is_file():
        pytest.skip(f"{GOLDEN} not found")
    data = np.load(GOLDEN)
    outputs = {k.split(":", 1)[1]: v for k, v in data.items() if k.startswith("out0:")}
    found = detections_from_outputs(outputs, Resize(416 / 768, 416 / 576), (576, 768),
                                    DetectorOptions())
    people = int(np.sum(np.asarray(found.labels) == "person"))
    assert 6 <= people <= 14


@pytest.mark.models
def test_installed_nanodet_on_vtest(nanodet_installed: Path, sample_video: Path) -> None:
    from kuzet.cli.detect import read_frame
    from kuzet.detect import load_object_detector

    image = read_frame(sample_video, 200)
    det = load_object_detector("nanodet", path=nanodet_installed, threads=2)
    found = det.detect(image)
    assert 6 <= found.labels.count("person") <= 14
    regions = np.array([[0, 0, 576, 576], [192, 0, 768, 576]], np.float32)
    in_regions = det.detect(image, regions)
    assert in_regions.labels.count("person") >= 5
    assert float(in_regions.xyxy[:, 2].max()) <= 768
