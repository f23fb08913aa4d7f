"""Build an object detector from a kind/config (the one place that knows backends)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kuzet.core.errors import ModelError
from kuzet.detect.base import DetectorInfo, DetectorOptions, ObjectDetector


def _kind(kind: Any, path: Path | str | None) -> tuple[Any, Path | str | None, Any]:
    # (backend name, model path, configured class names) from a name or a model config.
    if isinstance(kind, str):
        return kind, path, None
    return (getattr(kind, "type", None), path if path is not None else getattr(kind, "path", None),
            getattr(kind, "classes", None))


def _yolo_path(path: Path | str | None) -> Path:
    if path is None:
        raise ModelError("a yolo detector needs the path of its .onnx export "
                         "(detect: {model: {type: yolo, path: /path/model.onnx}})")
    if not Path(path).is_file():
        raise ModelError(f"YOLO model {path} does not exist")
    return Path(path)


def detector_info(kind: Any = "nanodet", path: Path | str | None = None) -> DetectorInfo:
    """The facts of a detector model (classes, input size, task), cheaply.

    No inference session is built: the bundled NanoDet's facts are known, a YOLO
    export's are read from its ONNX metadata and tensor shapes (or its config's
    ``classes``).

    Args:
        kind: ``"nanodet"`` or ``"yolo"``, or a detect model config object.
        path: Model file for yolo (defaults to the config's ``path``).

    Returns:
        The model's ``DetectorInfo``.

    Raises:
        ModelError: Unknown kind, missing file, or a model without usable facts.

    Example:
        >>> detector_info("nanodet").input_size
        (416, 416)
    """
    name, path, classes = _kind(kind, path)
    if name == "nanodet":
        from kuzet.detect.nanodet import NANODET_INFO

        return NANODET_INFO
    if name == "yolo":
        from kuzet.detect.yolo import read_yolo_info

        return read_yolo_info(_yolo_path(path), classes)
    raise ModelError(f"unknown detector kind {name!r}; expected 'nanodet' or 'yolo'")


def load_object_detector(
    kind: Any = "nanodet",
    path: Path | str | None = None,
    threads: int = 2,
    models_dir: Path | str | None = None,
    options: DetectorOptions | None = None,
) -> ObjectDetector:
    """Create an object detector.

    Args:
        kind: ``"nanodet"`` or ``"yolo"``, or a detect model config object with
            ``type`` (and ``path`` for yolo), e.g. ``DetectConfig.model``.
        path: Model file; for nanodet defaults to the installed ``nanodet.onnx``.
        threads: ONNX Runtime intra-op threads.
        models_dir: Model folder (defaults to ``$KUZET_MODELS`` / user cache).
        options: Score thresholds and NMS settings.

    Returns:
        An ``ObjectDetector``.

    Raises:
        ModelError: Unknown kind, or the model is not installed / not found.

    Example:
        >>> det = load_object_detector("nanodet", threads=2)  # doctest: +SKIP
    """
    from kuzet.models.paths import require_model

    name, path, classes = _kind(kind, path)
    if name == "nanodet":
        from kuzet.detect.nanodet import NanoDetDetector

        model = Path(path) if path is not None else require_model("nanodet", models_dir)
        return NanoDetDetector(model, threads=threads, options=options)
    if name == "yolo":
        from kuzet.detect.yolo import YoloDetector

        return YoloDetector(_yolo_path(path), threads=threads, options=options, classes=classes)
    raise ModelError(f"unknown detector kind {name!r}; expected 'nanodet' or 'yolo'")
