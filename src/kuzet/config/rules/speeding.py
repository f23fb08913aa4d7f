"""Speeding rule settings (``kind: speeding``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase


class SpeedingRuleConfig(RuleBase):
    """Vehicles in a zone faster than the zone's limit (needs the camera's `calibration`).

    A track's speed is the slope of its ground position (the bottom centre of its
    box through the calibration homography) over the last `window` seconds; the
    event fires when the speed minus `confidence` times its uncertainty exceeds
    `limit_kmh`, once per track.
    """

    kind: Literal["speeding"] = "speeding"
    event_kinds: ClassVar[tuple[str, ...]] = ("speeding",)
    needs_calibration: ClassVar[bool] = True
    zone: str = Field(description="Name of a zone of this camera (the stretch with this limit).")
    limit_kmh: float = Field(gt=0, le=400, description="Speed limit in the zone, km/h.")
    classes: list[str] = Field(
        default_factory=lambda: ["car", "motorcycle", "bus", "truck"],
        description="Classes checked.",
    )
    window: float = Field(
        default=1.0, gt=0, le=10,
        description="Seconds of a track's positions (inside the zone) its speed is fitted over.",
    )
    min_span: float = Field(
        default=0.6, gt=0, le=10,
        description="Least seconds of positions (and 3 positions) before a speed is reported.",
    )
    confidence: float = Field(
        default=1.0, ge=0, le=5,
        description="Uncertainties (sigmas) subtracted from the speed before comparing it with "
        "the limit: 0 = flag the estimate itself, 2 = flag only when clearly over.",
    )  # fmt: skip
