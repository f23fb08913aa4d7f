"""Build an object detector from a kind/config (the one place that knows backends)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kuzet.core.errors import ModelError
from kuzet.detect.base import DetectorOptions, ObjectDetector


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

    name = kind if isinstance(kind, str) else getattr(kind, "type", None)
    if path is None and not isinstance(kind, str):
        path = getattr(kind, "path", None)
    if name == "nanodet":
        from kuzet.detect.nanodet import NanoDetDetector

        model = Path(path) if path is not None else require_model("nanodet", models_dir)
        return NanoDetDetector(model, threads=threads, options=options)
    if name == "yolo":
        from kuzet.detect.yolo import YoloDetector

        if path is None:
            raise ModelError("a yolo detector needs the path of its .onnx export "
                             "(detect: {model: {type: yolo, path: /path/model.onnx}})")
        if not Path(path).is_file():
            raise ModelError(f"YOLO model {path} does not exist")
        return YoloDetector(Path(path), threads=threads, options=options)
    raise ModelError(f"unknown detector kind {name!r}; expected 'nanodet' or 'yolo'")
