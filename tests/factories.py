"""Builders for test data: detections, observations, frames and camera pipelines.

Import as ``from factories import make_detections`` (``tests/`` is on the path
through ``tests/conftest.py``). Boxes are xyxy pixels; classes are given by name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from kuzet.core.types import Detections, Event, FloatArray, Frame, Image, Observation
from kuzet.detect.base import COCO_CLASSES, DetectorInfo

# The COCO names the object detectors use, in index order (person = 0, car = 2).
CLASS_NAMES: tuple[str, ...] = COCO_CLASSES

FRAME_SHAPE = (480, 640)


def _per_row(value: Any, n: int) -> list[Any]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value] * n
    if len(value) != n:
        raise ValueError(f"expected {n} values, got {len(value)}")
    return list(value)


def make_detections(
    boxes: Sequence[Sequence[float]] = (),
    *,
    classes: str | Sequence[str] = "person",
    scores: float | Sequence[float] = 0.9,
    track_ids: Sequence[int] | None = None,
    attrs: Mapping[str, Any] | None = None,
    class_names: tuple[str, ...] = CLASS_NAMES,
) -> Detections:
    """Detections from xyxy boxes; one class name / score for all rows or one per row.

    Example:
        >>> make_detections([[0, 0, 10, 20]], classes="car", track_ids=[7]).labels
        ['car']
    """
    n = len(boxes)
    ids = [class_names.index(c) for c in _per_row(classes, n)]
    return Detections(
        xyxy=np.asarray(boxes, np.float32).reshape(-1, 4),
        score=np.asarray(_per_row(scores, n), np.float32),
        class_id=np.asarray(ids, np.int64),
        track_id=None if track_ids is None else np.asarray(track_ids, np.int64),
        attrs={k: np.asarray(v) for k, v in (attrs or {}).items()},
        class_names=class_names,
    )


def box_at(x: float, bottom: float, w: float = 40.0, h: float = 100.0) -> list[float]:
    """An xyxy box whose bottom-centre is (x, bottom): the point rules use."""
    return [x - w / 2, bottom - h, x + w / 2, bottom]


def make_observation(
    detections: Detections | None = None,
    *,
    ts: float = 0.0,
    wall: float | None = None,
    camera_id: str = "cam",
    frame_shape: tuple[int, int] = FRAME_SHAPE,
    ended_tracks: tuple[int, ...] = (),
) -> Observation:
    """An Observation; ``wall`` defaults to 1.7e9 + ts (a fixed day in 2023, UTC)."""
    dets = detections if detections is not None else make_detections(track_ids=[])
    return Observation(
        camera_id=camera_id,
        ts=ts,
        wall=1_700_000_000.0 + ts if wall is None else wall,
        frame_shape=frame_shape,
        detections=dets,
        stationary=np.zeros(len(dets), bool),
        ended_tracks=ended_tracks,
    )


def make_frame(
    ts: float = 0.0,
    *,
    seq: int = 0,
    camera_id: str = "cam",
    shape: tuple[int, int] = FRAME_SHAPE,
    value: int = 64,
) -> Frame:
    """A flat grey BGR frame."""
    image = np.full((*shape, 3), value, np.uint8)
    return Frame(camera_id=camera_id, seq=seq, ts=ts, wall=1_700_000_000.0 + ts, image=image)


def make_pipeline(
    camera: Any,
    detector: Any,
    *,
    camera_id: str = "cam",
    class_names: tuple[str, ...] = CLASS_NAMES,
    input_size: tuple[int, int] = (416, 416),
    **parts: Any,
) -> Any:
    """A camera pipeline from the one builder (``runtime.build.build_pipeline``).

    Args:
        camera: The camera's ``CameraConfig``.
        detector: A real detector (with ``info``), or a function
            ``(image, regions) -> Detections | None`` standing for a model with
            ``class_names`` and ``input_size``.
        camera_id: The camera id.
        class_names: Classes of the model a detect function stands for.
        input_size: Its (width, height) input.
        **parts: ``PipelineParts`` fields (media, state_dir, redactor, tracker, pose, ...).
    """
    from kuzet.runtime.build import FunctionDetector, PipelineParts, build_pipeline

    if not hasattr(detector, "info"):
        detector = FunctionDetector(detector, DetectorInfo(class_names, input_size))
    return build_pipeline(camera_id, camera, detector, PipelineParts(**parts))


def fixed_detections(dets: Detections) -> Any:
    """A detect function returning ``dets`` for any image and regions."""

    def detect(image: Image, regions: FloatArray | None) -> Detections:
        return dets

    return detect


@contextmanager
def running_supervisor(config: Any, media: Path) -> Iterator[tuple[Any, list[Event]]]:
    """The embedded runtime started on ``config``, with every event it publishes
    collected; stopped when the block ends (also on failure)."""
    from kuzet.events.bus import Bus
    from kuzet.runtime.supervisor import Supervisor

    bus: Bus[Event] = Bus()
    seen: list[Event] = []
    bus.subscribe(seen.append)
    supervisor = Supervisor(config, media, bus)
    supervisor.start()
    try:
        yield supervisor, seen
    finally:
        supervisor.stop()
