"""User-supplied YOLO-format ONNX exports (YOLOv5, YOLOv8, YOLO11).

Layouts are told apart by the output shape: v5 gives ``[1,N,5+C]`` rows of
(cx, cy, w, h, objectness, class scores...), v8/11 give ``[1,4+C,N]`` columns
of (cx, cy, w, h, class scores...) without objectness. Input: RGB, letterboxed
(gray 114, centred) to the model's input size, ``/255``, NCHW float32.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kuzet.core.errors import ModelError
from kuzet.core.types import Detections, FloatArray, Image
from kuzet.detect.base import COCO_CLASSES, DetectorOptions
from kuzet.detect.postprocess import clip_boxes, finish, min_scores_per_class, resize_to, select
from kuzet.detect.regions import detect_in_regions

DEFAULT_SIZE = 640


def split_output(raw: npt.NDArray[np.float32]) -> tuple[FloatArray, FloatArray]:
    """YOLO output -> (N,4) xyxy boxes in model pixels and (N,C) class scores.

    Args:
        raw: ``[1,N,5+C]`` (v5) or ``[1,4+C,N]`` (v8/11).

    Returns:
        Boxes and per-class scores (v5 scores are objectness x class).

    Raises:
        ModelError: The shape is neither layout.
    """
    if raw.ndim != 3 or raw.shape[0] != 1:
        raise ModelError(f"YOLO output must be [1,N,5+C] or [1,4+C,N], got {raw.shape}")
    out = raw[0].astype(np.float32)
    if out.shape[0] < out.shape[1]:  # v8/11: channels first, fewer channels than anchors
        rows = out.T
        cxcywh, scores = rows[:, :4], rows[:, 4:]
    else:
        if out.shape[1] < 6:
            raise ModelError(f"YOLOv5 output needs 5+C columns, got {out.shape}")
        cxcywh, scores = out[:, :4], out[:, 5:] * out[:, 4:5]
    half = cxcywh[:, 2:] / 2
    boxes = np.concatenate([cxcywh[:, :2] - half, cxcywh[:, :2] + half], axis=1)
    return boxes.astype(np.float32), np.ascontiguousarray(scores, dtype=np.float32)


def class_names_from_metadata(meta: dict[str, str], count: int) -> tuple[str, ...]:
    """Class names from the ONNX metadata ``names`` (ultralytics), else COCO-80."""
    text = meta.get("names")
    if text:
        try:
            parsed: Any = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, dict):
            return tuple(str(parsed[k]) for k in sorted(parsed))
        if isinstance(parsed, list | tuple):
            return tuple(str(v) for v in parsed)
    if count == len(COCO_CLASSES):
        return COCO_CLASSES
    return tuple(f"class{i}" for i in range(count))


def _input_size(shape: list[Any]) -> tuple[int, int]:
    h, w = shape[2], shape[3]
    height = h if isinstance(h, int) and h > 0 else DEFAULT_SIZE
    width = w if isinstance(w, int) and w > 0 else DEFAULT_SIZE
    return int(width), int(height)


class YoloDetector:
    """A YOLO v5/v8/11 ONNX export (implements ``ObjectDetector``).

    Example:
        >>> det = YoloDetector(Path("yolov8n.onnx"))  # doctest: +SKIP
        >>> det.detect(frame).labels  # doctest: +SKIP
    """

    def __init__(
        self, path: Path, threads: int = 2, options: DetectorOptions | None = None
    ) -> None:
        """Load the export; input size and class names come from the model.

        Raises:
            ModelError: The file is missing or not a 4-D image model.
        """
        from kuzet.models.session import create_session

        self.options = options or DetectorOptions()
        self._session = create_session(path, threads)
        spec = self._session.get_inputs()[0]
        if len(spec.shape) != 4:
            raise ModelError(f"{path}: expected a 4-D NCHW input, got {spec.shape}")
        self._input = spec.name
        self.input_size = _input_size(list(spec.shape))
        out_shape = self._session.get_outputs()[0].shape
        meta = self._session.get_modelmeta().custom_metadata_map
        count = self._class_count(out_shape, meta)
        self.class_names = class_names_from_metadata(meta, count)

    @staticmethod
    def _class_count(shape: list[Any], meta: dict[str, str]) -> int:
        dims = [d for d in shape[1:] if isinstance(d, int)]
        if len(dims) == 2:
            small = min(dims)
            return small - 4 if dims[0] < dims[1] else small - 5
        return len(class_names_from_metadata(meta, len(COCO_CLASSES)))

    def _full(self, image: Image) -> Detections:
        import cv2

        width, height = self.input_size
        resized, mapping = resize_to(image, width, height, keep_aspect=True)
        rgb = cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)
        blob = np.ascontiguousarray(rgb.transpose(2, 0, 1)[None], dtype=np.float32) / 255.0
        raw = self._session.run(None, {self._input: blob})[0]
        boxes, scores = split_output(np.asarray(raw))
        if scores.shape[1] != len(self.class_names):
            raise ModelError(f"model has {scores.shape[1]} classes but {len(self.class_names)} "
                             "names")
        thresholds = min_scores_per_class(self.options, self.class_names)
        boxes, best, class_ids = select(boxes, scores, thresholds)
        boxes = clip_boxes(mapping.to_image(boxes), image.shape[1], image.shape[0])
        return finish(boxes, best, class_ids, self.options, self.class_names)

    def detect(self, image: Image, regions: FloatArray | None = None) -> Detections:
        """Detect objects in a BGR frame, on the whole frame or on ``regions``."""
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an HxWx3 BGR image, got shape {image.shape}")
        if regions is None:
            return self._full(image)
        return detect_in_regions(self._full, image, regions, self.options, self.class_names)
