"""User-supplied YOLO-format ONNX exports (YOLOv5, YOLOv8, YOLO11).

Layouts are told apart by the output shape: v5 gives ``[1,N,5+C]`` rows of
(cx, cy, w, h, objectness, class scores...), v8/11 give ``[1,4+C,N]`` columns
of (cx, cy, w, h, class scores...) without objectness. Input: RGB, letterboxed
(gray 114, centred) to the model's input size, ``/255``, NCHW float32.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kuzet.core.errors import ModelError
from kuzet.core.types import Detections, FloatArray, Image
from kuzet.detect.base import DetectorInfo, DetectorOptions
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


def class_names_from_metadata(meta: dict[str, str]) -> tuple[str, ...] | None:
    """Class names from the ONNX metadata ``names`` that ultralytics writes, if any.

    Example:
        >>> class_names_from_metadata({"names": "{0: 'helmet', 1: 'vest'}"})
        ('helmet', 'vest')
    """
    text = meta.get("names")
    if not text:
        return None
    try:
        parsed: Any = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    if isinstance(parsed, dict):
        return tuple(str(parsed[k]) for k in sorted(parsed))
    if isinstance(parsed, list | tuple):
        return tuple(str(v) for v in parsed)
    return None


def _dim(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _input_size(meta: dict[str, str], shape: Sequence[Any]) -> tuple[int, int]:
    # ultralytics writes imgsz as [height, width]; else the input's static dims.
    try:
        imgsz: Any = ast.literal_eval(meta.get("imgsz", "None"))
    except (ValueError, SyntaxError):
        imgsz = None
    if isinstance(imgsz, list | tuple) and len(imgsz) == 2 and all(_dim(v) for v in imgsz):
        return int(imgsz[1]), int(imgsz[0])
    height, width = (_dim(shape[2]), _dim(shape[3])) if len(shape) == 4 else (None, None)
    return int(width or DEFAULT_SIZE), int(height or DEFAULT_SIZE)


def _class_count(shape: Sequence[Any]) -> int | None:
    dims = [_dim(d) for d in shape[1:]]
    if len(dims) != 2 or dims[0] is None or dims[1] is None:
        return None
    small = min(dims[0], dims[1])
    return small - 4 if dims[0] < dims[1] else small - 5


def _names(meta: dict[str, str], configured: Sequence[str] | None, source: str) -> tuple[str, ...]:
    from_meta = class_names_from_metadata(meta)
    given = tuple(configured) if configured else None
    if from_meta is not None and given is not None and from_meta != given:
        raise ModelError(f"{source}: detect.model.classes {list(given)} differ from the class "
                         f"names in the model's metadata {list(from_meta)}")
    names = from_meta or given
    if names is None:
        raise ModelError(f"{source}: the model has no class names in its metadata ('names'); "
                         "list them in detect.model.classes, in output order")
    return names


def yolo_info(
    meta: dict[str, str],
    input_shape: Sequence[Any],
    output_shape: Sequence[Any],
    configured: Sequence[str] | None = None,
    source: str = "YOLO model",
) -> DetectorInfo:
    """The facts of a YOLO export from its metadata and tensor shapes.

    Args:
        meta: ONNX metadata (``names``, ``task``, ``imgsz`` as ultralytics writes them).
        input_shape: Shape of the image input (NCHW; symbolic dims allowed).
        output_shape: Shape of the first output (symbolic dims allowed).
        configured: Class names from the config, used when the metadata has none.
        source: What to name in error messages (the file).

    Returns:
        Class names, input (width, height) and task.

    Raises:
        ModelError: Not a detection model, no class names, or names that do not
            match the output's class count.
    """
    if len(input_shape) != 4:
        raise ModelError(f"{source}: expected a 4-D NCHW input, got {list(input_shape)}")
    task = meta.get("task", "detect")
    if task != "detect":
        raise ModelError(f"{source}: a {task!r} model; only 'detect' exports (boxes) are supported")
    names = _names(meta, configured, source)
    count = _class_count(output_shape)
    if count is not None and count != len(names):
        raise ModelError(f"{source}: the output has {count} classes but {len(names)} names "
                         f"{list(names)}")
    return DetectorInfo(names, _input_size(meta, input_shape), task)


def read_yolo_info(path: Path, configured: Sequence[str] | None = None) -> DetectorInfo:
    """The facts of a YOLO export read from the file, without an inference session.

    Raises:
        ModelError: The file is missing, not ONNX, or has unusable facts.
    """
    import onnx
    from google.protobuf.message import DecodeError

    try:
        model = onnx.load(str(path), load_external_data=False)
    except (OSError, DecodeError) as exc:
        raise ModelError(f"cannot read YOLO model {path}: {exc}") from exc
    graph = model.graph
    weights = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in weights]
    if not inputs or not graph.output:
        raise ModelError(f"{path}: the model has no image input or no output")

    def shape(value: Any) -> list[Any]:
        return [d.dim_value if d.HasField("dim_value") else d.dim_param
                for d in value.type.tensor_type.shape.dim]

    meta = {p.key: p.value for p in model.metadata_props}
    return yolo_info(meta, shape(inputs[0]), shape(graph.output[0]), configured, str(path))


class YoloDetector:
    """A YOLO v5/v8/11 ONNX export (implements ``ObjectDetector``).

    Example:
        >>> det = YoloDetector(Path("yolov8n.onnx"))  # doctest: +SKIP
        >>> det.detect(frame).labels  # doctest: +SKIP
    """

    def __init__(
        self,
        path: Path,
        threads: int = 2,
        options: DetectorOptions | None = None,
        classes: Sequence[str] | None = None,
    ) -> None:
        """Load the export; input size and class names come from the model.

        Args:
            path: The .onnx file.
            threads: ONNX Runtime intra-op threads.
            options: Score thresholds and NMS settings.
            classes: Class names for exports without ``names`` metadata.

        Raises:
            ModelError: The file is missing, not a 4-D image model, or has no class names.
        """
        from kuzet.models.session import create_session

        self.options = options or DetectorOptions()
        self._session = create_session(path, threads)
        spec = self._session.get_inputs()[0]
        self._input = spec.name
        out_shape = self._session.get_outputs()[0].shape
        meta = dict(self._session.get_modelmeta().custom_metadata_map)
        self._info = yolo_info(meta, list(spec.shape), list(out_shape), classes, str(path))
        self.input_size = self._info.input_size
        self.class_names = self._info.class_names

    @property
    def info(self) -> DetectorInfo:
        """Class names, input size and task read from the export."""
        return self._info

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
