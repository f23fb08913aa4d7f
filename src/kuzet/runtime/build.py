"""The one place a camera's pipeline is assembled (worker, analyze, eval, tests).

``build_pipeline`` takes the camera's config, its detector (whose facts decide
the classes, the crop size and the vehicle/person classes) and the
collaborators, checks that the config fits the model, and returns a ready
``CameraPipeline``; nothing is set on it afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kuzet.config.cameras import CameraConfig
from kuzet.config.classes import camera_class_issues
from kuzet.config.runtime import RuntimeConfig
from kuzet.core.errors import ConfigError
from kuzet.core.types import Detections, FloatArray, Image
from kuzet.detect.base import DetectorInfo, ObjectDetector
from kuzet.runtime.pipeline import CameraPipeline, FrameDetector, PipelineParts

__all__ = ["FunctionDetector", "PipelineParts", "build_pipeline", "local_detector"]


def build_pipeline(
    camera_id: str,
    camera: CameraConfig,
    detector: FrameDetector,
    parts: PipelineParts | None = None,
) -> CameraPipeline:
    """A ready pipeline for one camera.

    Args:
        camera_id: The camera's id.
        camera: The camera's merged config (source, detect, zones, rules, ...).
        detector: Its detector: an ``ObjectDetector`` in-process, a
            ``RemoteDetector`` in a camera worker, or a ``FunctionDetector``.
        parts: Media store, events settings, state folder, redactor, tracker
            factory and optional enrichment models (defaults: none stored,
            ByteTrack, models loaded on the first frame that needs them).

    Returns:
        The pipeline.

    Raises:
        ConfigError: The camera names classes the detector's model does not
            have (the message lists the model's classes), or the model is not
            an object detector.

    Example:
        >>> det = load_object_detector(camera.detect.model)  # doctest: +SKIP
        >>> parts = PipelineParts(media=media)  # doctest: +SKIP
        >>> pipeline = build_pipeline("gate", camera, det, parts)  # doctest: +SKIP
        >>> pipeline.process(frame).events  # doctest: +SKIP
    """
    info = detector.info
    if info.task != "detect":
        raise ConfigError(f"camera {camera_id}: the detector is a {info.task!r} model, "
                          "not an object detector")
    issues = camera_class_issues(camera, info.class_names, "the detector model")
    if issues:
        lines = [f"cameras.{camera_id}.{'.'.join(map(str, loc))}: {msg}" for loc, msg in issues]
        raise ConfigError("\n".join(lines))
    return CameraPipeline(camera_id, camera, detector, parts or PipelineParts())


def local_detector(camera: CameraConfig, runtime: RuntimeConfig) -> ObjectDetector:
    """The camera's detector model loaded in this process (``analyze``, ``eval``).

    Raises:
        ModelError: The model is not installed or unusable.
    """
    from kuzet.detect import load_object_detector

    return load_object_detector(
        camera.detect.model, threads=runtime.detector_threads, models_dir=runtime.models_dir
    )


@dataclass(frozen=True)
class FunctionDetector:
    """A detect function with the facts of the model it stands for.

    Attributes:
        fn: (image, regions or None) -> detections, or None for a dropped request.
        info: The model's classes, input size and task.
    """

    fn: Callable[[Image, FloatArray | None], Detections | None]
    info: DetectorInfo

    def detect(self, image: Image, regions: FloatArray | None = None) -> Detections | None:
        """Call ``fn``."""
        return self.fn(image, regions)
