"""YOLO v5 and v8/11 output decoding with tiny constant ONNX models built here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kuzet.core.errors import ModelError
from kuzet.detect import DetectorInfo, DetectorOptions, detector_info, load_object_detector
from kuzet.detect.nanodet import NANODET_INFO
from kuzet.detect.yolo import YoloDetector, class_names_from_metadata, split_output
from yolo_models import HELMET_CLASSES, build_yolo_model, helmet_model

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


def build_model(path: Path, layout: str, names: str | None,
                extra: dict[str, str] | None = None) -> Path:
    meta = None if names is None and extra is None else {
        **({"names": names} if names is not None else {}), **(extra or {})}
    return build_yolo_model(path, yolo_output(layout), size=(SIZE, SIZE), metadata=meta)


@pytest.mark.parametrize("layout", ["v5", "v8"])
def test_split_output_layouts(layout: str) -> None:
    boxes, scores = split_output(yolo_output(layout))
    assert scores.shape == (20, 3)
    np.testing.assert_allclose(boxes[0], [8, 8, 24, 40])
    assert scores[0].argmax() == 1 and scores[0, 1] == pytest.approx(0.9)


@pytest.mark.parametrize("layout", ["v5", "v8"])
@pytest.mark.parametrize(
    ("names", "configured"),
    [("{0: 'cat', 1: 'dog', 2: 'bird'}", None), ("['cat', 'dog', 'bird']", list(NAMES)),
     (None, list(NAMES))],
)
def test_yolo_detector_end_to_end(tmp_path, layout, names, configured) -> None:
    from kuzet.config.detect import YoloModelConfig

    path = build_model(tmp_path / f"{layout}.onnx", layout, names)
    model = YoloModelConfig(path=path, classes=configured)
    det = load_object_detector(model, threads=1, options=DetectorOptions(min_score=0.3))
    assert isinstance(det, YoloDetector) and det.input_size == (SIZE, SIZE)
    assert det.info == DetectorInfo(NAMES, (SIZE, SIZE), "detect") == detector_info(model)
    image = np.zeros((128, 128, 3), np.uint8)  # scale 0.5 into the 64x64 input
    found = det.detect(image)
    assert len(found) == 1 and found.class_id.tolist() == [1]
    np.testing.assert_allclose(found.xyxy[0], [16, 16, 48, 80], atol=1e-4)
    regions = np.array([[0, 0, 128, 128]], np.float32)
    np.testing.assert_allclose(det.detect(image, regions).xyxy, found.xyxy, atol=1e-4)


def test_metadata_list_names_and_bad_shapes() -> None:
    assert class_names_from_metadata({"names": "['a', 'b']"}) == ("a", "b")
    assert class_names_from_metadata({"names": "not python"}) is None
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

    path = build_model(tmp_path / "m.onnx", "v8", "['cat', 'dog', 'bird']")
    det = load_object_detector(YoloModelConfig(path=path), threads=1)
    assert isinstance(det, YoloDetector)


@pytest.mark.parametrize(
    ("names", "extra", "configured", "message"),
    [
        (None, None, None, "no class names in its metadata"),
        ("['a', 'b']", None, None, "3 classes but 2 names"),
        (None, None, ["a", "b"], "3 classes but 2 names"),
        ("['cat', 'dog', 'bird']", None, ["cat", "dog", "owl"], "differ from the class names"),
        ("['cat', 'dog', 'bird']", {"task": "segment"}, None, "only 'detect' exports"),
    ],
)
def test_unusable_facts_are_clear_errors(tmp_path, names, extra, configured, message) -> None:
    from kuzet.config.detect import YoloModelConfig

    path = build_model(tmp_path / "m.onnx", "v8", names, extra)
    model = YoloModelConfig(path=path, classes=configured)
    with pytest.raises(ModelError, match=message):
        detector_info(model)
    with pytest.raises(ModelError, match=message):
        load_object_detector(model, threads=1)


def test_facts_are_read_without_a_session(tmp_path, monkeypatch) -> None:
    import kuzet.models.session as session

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("detector_info must not build an inference session")

    monkeypatch.setattr(session, "create_session", refuse)
    info = detector_info("yolo", helmet_model(tmp_path / "helmet.onnx"))
    assert info.class_names == HELMET_CLASSES and info.input_size == (320, 320)
    assert info.vehicle_classes == () and info.region_size == 320
    assert detector_info("nanodet") is NANODET_INFO
    assert NANODET_INFO.vehicle_classes == ("car", "motorcycle", "bus", "truck")
    assert NANODET_INFO.person_classes == ("person",)


def test_helmet_model_detects_its_own_classes(tmp_path) -> None:
    det = load_object_detector("yolo", helmet_model(tmp_path / "helmet.onnx"), threads=1)
    found = det.detect(np.zeros((240, 320, 3), np.uint8))
    assert found.labels == ["helmet"] and found.class_names == HELMET_CLASSES


@pytest.mark.parametrize(
    ("names", "size", "message"),
    [((), (1, 1), "must not be empty"), (("a", "a"), (1, 1), "duplicates"),
     (("a",), (0, 5), "input_size")],
)
def test_detector_info_validates(names, size, message) -> None:
    with pytest.raises(ValueError, match=message):
        DetectorInfo(names, size)
