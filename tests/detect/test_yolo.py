"""YOLO v5 and v8/11 output decoding with tiny constant ONNX models built here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from kuzet.core.errors import ModelError
from kuzet.detect import DetectorOptions, load_object_detector
from kuzet.detect.yolo import YoloDetector, class_names_from_metadata, split_output

SIZE = 64
NAMES = ("cat", "dog", "bird")


def yolo_output(layout: str) -> np.ndarray:
    """Two candidates: a dog at (8,8)-(24,40) (score .9) and a weak bird (score .1)."""
    rows = np.zeros((20, 5 + len(NAMES)), np.float32)  # real exports: N >> channels
    rows[0, :4] = [16, 24, 16, 32]
    rows[1, :4] = [40, 40, 10, 10]
    if layout == "v5":
        rows[0, 4], rows[0, 5 + 1] = 1.0, 0.9
        rows[1, 4], rows[1, 5 + 2] = 0.5, 0.2
        return rows[None]
    v8 = np.delete(rows, 4, axis=1)
    v8[0, 4 + 1], v8[1, 4 + 2] = 0.9, 0.1
    return v8.T[None].copy()


def build_model(path: Path, layout: str, names: str | None) -> Path:
    out = yolo_output(layout)
    const = helper.make_node("Constant", [], ["raw"], value=numpy_helper.from_array(out))
    # Keep the input used so runtimes do not prune it: raw + 0 * sum(images).
    reduce = helper.make_node("ReduceSum", ["images"], ["s"], keepdims=0)
    zero = helper.make_node("Constant", [], ["zero"], value=numpy_helper.from_array(
        np.array(0, np.float32)))
    mul = helper.make_node("Mul", ["s", "zero"], ["z"])
    add = helper.make_node("Add", ["raw", "z"], ["output0"])
    graph = helper.make_graph(
        [const, reduce, zero, mul, add], "tiny-yolo",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(out.shape))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    if names is not None:
        helper.set_model_props(model, {"names": names})
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


@pytest.mark.parametrize("layout", ["v5", "v8"])
def test_split_output_layouts(layout: str) -> None:
    boxes, scores = split_output(yolo_output(layout))
    assert scores.shape == (20, 3)
    np.testing.assert_allclose(boxes[0], [8, 8, 24, 40])
    assert scores[0].argmax() == 1 and scores[0, 1] == pytest.approx(0.9)


@pytest.mark.parametrize("layout", ["v5", "v8"])
@pytest.mark.parametrize(
    ("names", "expected"),
    [("{0: 'cat', 1: 'dog', 2: 'bird'}", NAMES), (None, ("class0", "class1", "class2"))],
)
def test_yolo_detector_end_to_end(tmp_path, layout, names, expected) -> None:
    path = build_model(tmp_path / f"{layout}.onnx", layout, names)
    det = load_object_detector("yolo", path=path, threads=1,
                               options=DetectorOptions(min_score=0.3))
    assert isinstance(det, YoloDetector) and det.input_size == (SIZE, SIZE)
    assert det.class_names == expected
    image = np.zeros((128, 128, 3), np.uint8)  # scale 0.5 into the 64x64 input
    found = det.detect(image)
    assert len(found) == 1 and found.class_id.tolist() == [1]
    np.testing.assert_allclose(found.xyxy[0], [16, 16, 48, 80], atol=1e-4)
    regions = np.array([[0, 0, 128, 128]], np.float32)
    np.testing.assert_allclose(det.detect(image, regions).xyxy, found.xyxy, atol=1e-4)


def test_metadata_list_names_and_bad_shapes() -> None:
    assert class_names_from_metadata({"names": "['a', 'b']"}, 2) == ("a", "b")
    with pytest.raises(ModelError):
        split_output(np.zeros((2, 3), np.float32))


@pytest.mark.parametrize(
    ("kind", "path", "message"),
    [("yolo", None, "needs the path"), ("yolo", "/nope.onnx", "does not exist"),
     ("ssd", None, "unknown detector kind")],
)
def test_factory_errors(kind, path, message) -> None:
    with pytest.raises(ModelError, match=message):
        load_object_detector(kind, path=path)


def test_factory_accepts_config_objects(tmp_path) -> None:
    from kuzet.config.detect import YoloModelConfig

    path = build_model(tmp_path / "m.onnx", "v8", None)
    det = load_object_detector(YoloModelConfig(path=path), threads=1)
    assert isinstance(det, YoloDetector)
