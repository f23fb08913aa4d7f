"""Object tracking settings."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class TrackingConfig(KuzetModel):
    """ByteTrack-class association; all durations in seconds."""

    high_score: float = Field(
        default=0.5, ge=0, le=1, description="Detections above this start and extend tracks."
    )
    low_score: float = Field(
        default=0.2, ge=0, le=1,
        description="Detections between low and high only extend existing tracks.",
    )
    match_iou: float = Field(
        default=0.2, ge=0, le=1, description="Minimum IoU to associate a detection to a track."
    )
    max_lost: float = Field(
        default=2.0, gt=0, description="Seconds a track survives without detections."
    )
    min_hits: int = Field(
        default=2, ge=1, description="Detections needed before a track is reported."
    )
    stationary_after: float = Field(
        default=5.0, gt=0, description="Seconds without moving before a track is stationary."
    )
    stationary_radius: float = Field(
        default=0.02, gt=0, le=1,
        description="Movement below this fraction of the frame diagonal counts as still.",
    )
