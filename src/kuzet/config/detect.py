"""Object detection settings (global, overridable per camera)."""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from kuzet.config.base import KuzetModel


class ClassFilter(KuzetModel):
    """Per-class filters applied after detection."""

    min_score: float | None = Field(
        default=None, ge=0, le=1, description="Minimum confidence for this class."
    )
    min_area: float = Field(
        default=0.0, ge=0, le=1, description="Minimum box area as a fraction of the frame."
    )
    max_area: float = Field(
        default=1.0, ge=0, le=1, description="Maximum box area as a fraction of the frame."
    )


class NanoDetModelConfig(KuzetModel):
    """The bundled NanoDet COCO-80 detector (installed by `kuzet models install`)."""

    type: Literal["nanodet"] = "nanodet"


class YoloModelConfig(KuzetModel):
    """A user-supplied YOLO-format ONNX export (v5, v8 or 11)."""

    type: Literal["yolo"] = "yolo"
    path: Path = Field(description="Path to the .onnx file.")
    classes: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Class names in the model's output order; only for exports without "
        "`names` metadata (ultralytics exports carry them).",
    )


ModelConfig = Annotated[NanoDetModelConfig | YoloModelConfig, Field(discriminator="type")]


class DetectConfig(KuzetModel):
    """How and how often objects are detected."""

    model: ModelConfig = Field(
        default_factory=NanoDetModelConfig, description="Detector backend (`type`: nanodet|yolo)."
    )
    fps: float = Field(
        default=5.0, gt=0, le=60, description="Frames analysed per second (others are skipped)."
    )
    width: int = Field(
        default=640, ge=160, le=3840,
        description="Analysis frames are scaled to this width (aspect kept).",
    )
    min_score: float = Field(default=0.35, ge=0, le=1, description="Default minimum confidence.")
    classes: list[str] = Field(
        default_factory=lambda: ["person", "bicycle", "car", "motorcycle", "bus", "truck",
                                 "backpack", "handbag", "suitcase"],
        description="Class names of the detector model to keep; others are dropped.",
    )
    filters: dict[str, ClassFilter] = Field(
        default_factory=dict, description="Per-class score and area filters, keyed by class name."
    )
    full_frame_interval: float = Field(
        default=2.0, gt=0,
        description="Seconds between full-frame passes, so still objects are not lost.",
    )
    motion_gating: bool = Field(
        default=True,
        description="Detect only in motion and live-track regions between full-frame passes.",
    )
