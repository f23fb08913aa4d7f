"""Motion detection settings."""

from pydantic import Field

from kuzet.config.base import KuzetModel
from kuzet.config.geometry import MaskConfig


class MotionConfig(KuzetModel):
    """Downscaled frame differencing against a running background."""

    threshold: int = Field(
        default=25, ge=1, le=255, description="Pixel difference (0-255) that counts as motion."
    )
    min_area: float = Field(
        default=0.0005, ge=0, le=1,
        description="Smallest moving blob kept, as a fraction of the frame area.",
    )
    downscale_height: int = Field(
        default=120, ge=40, le=720, description="Height of the frame used for motion analysis."
    )
    background_alpha: float = Field(
        default=0.05, gt=0, le=1, description="Running-average weight of each new frame."
    )
    masks: list[MaskConfig] = Field(
        default_factory=list, description="Areas ignored by motion detection."
    )
