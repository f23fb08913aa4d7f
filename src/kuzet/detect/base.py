"""The object-detector interface shared by every backend, its facts, and COCO-80 names."""

from __future__ import annotations

from collections.abc import Iterable
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

# Class names that denote vehicles (plate reading, plate redaction), whatever the
# model: a model's vehicle classes are those of its names found here.
VEHICLE_NAMES: frozenset[str] = frozenset(
    {"car", "truck", "bus", "motorcycle", "van", "motorbike", "lorry", "vehicle"}
)
PERSON_NAMES: frozenset[str] = frozenset({"person", "pedestrian"})


@dataclass(frozen=True, slots=True)
class DetectorInfo:
    """What a detection model is, read from the model (not assumed by its users).

    Attributes:
        class_names: Class names in the model's output order (``class_id`` indexes them).
        input_size: (width, height) of the model input in pixels.
        task: What the model does; only ``"detect"`` (boxes) runs in the pipeline.

    Example:
        >>> info = DetectorInfo(("helmet", "car"), (320, 320))
        >>> info.vehicle_classes, info.region_size, info.unknown(["car", "dog"])
        (('car',), 320, ['dog'])
    """

    class_names: tuple[str, ...]
    input_size: tuple[int, int]
    task: str = "detect"

    def __post_init__(self) -> None:
        if not self.class_names:
            raise ValueError("DetectorInfo.class_names must not be empty")
        if len(set(self.class_names)) != len(self.class_names):
            raise ValueError(f"DetectorInfo.class_names has duplicates: {self.class_names}")
        if len(self.input_size) != 2 or min(self.input_size) <= 0:
            raise ValueError(f"DetectorInfo.input_size must be (width, height) > 0, "
                             f"got {self.input_size}")

    @property
    def region_size(self) -> int:
        """Side of the smallest square crop the model sees at native resolution."""
        return int(min(self.input_size))

    @property
    def vehicle_classes(self) -> tuple[str, ...]:
        """The model's class names that are vehicles, in model order."""
        return self.named(VEHICLE_NAMES)

    @property
    def person_classes(self) -> tuple[str, ...]:
        """The model's class names that are people, in model order."""
        return self.named(PERSON_NAMES)

    def named(self, names: Iterable[str]) -> tuple[str, ...]:
        """The model's class names that are in ``names``, in model order."""
        wanted = set(names)
        return tuple(n for n in self.class_names if n in wanted)

    def unknown(self, names: Iterable[str]) -> list[str]:
        """Sorted names that are not classes of the model."""
        return sorted(set(names) - set(self.class_names))


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
    """Finds objects in a BGR frame and reports its own facts.

    ``regions`` are (M,4) xyxy square crops to scan (each is resized to the
    model's input and boxes are mapped back to frame pixels); None scans the
    whole frame. ``class_names`` of the result are ``info.class_names``.
    """

    @property
    def info(self) -> DetectorInfo:
        """The model's classes, input size and task."""
        ...

    def detect(self, image: Image, regions: FloatArray | None = None) -> Detections:
        """Detect objects in ``image`` (HxWx3 BGR uint8)."""
        ...
