"""The object-detector interface shared by every backend, and COCO-80 names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from kuzet.core.types import Detections, FloatArray, Image

COCO_CLASSES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
    "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
    "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
    "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich",
    "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote",
    "keyboard", "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book",
    "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
)


@dataclass(frozen=True)
class DetectorOptions:
    """Post-processing settings common to all object detectors.

    Attributes:
        min_score: Default minimum confidence.
        class_min_scores: Per-class minimum confidence by class name (overrides).
        iou: IoU threshold of the per-class NMS.
        agnostic_iou: IoU threshold of the class-agnostic NMS that removes
            duplicates of different classes on one object (car/truck); 1 disables.
        max_detections: Keep at most this many (highest scores).
    """

    min_score: float = 0.35
    class_min_scores: dict[str, float] = field(default_factory=dict)
    iou: float = 0.5
    agnostic_iou: float = 0.7
    max_detections: int = 300

    def __post_init__(self) -> None:
        for name, value in (("min_score", self.min_score), ("iou", self.iou),
                            ("agnostic_iou", self.agnostic_iou)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"DetectorOptions.{name} must be in [0, 1], got {value}")


@runtime_checkable
class ObjectDetector(Protocol):
    """Finds objects in a BGR frame.

    ``regions`` are (M,4) xyxy square crops to scan (each is resized to the
    model's input and boxes are mapped back to frame pixels); None scans the
    whole frame. ``class_names`` of the result are the detector's classes.
    """

    class_names: tuple[str, ...]

    def detect(self, image: Image, regions: FloatArray | None = None) -> Detections:
        """Detect objects in ``image`` (HxWx3 BGR uint8)."""
        ...
