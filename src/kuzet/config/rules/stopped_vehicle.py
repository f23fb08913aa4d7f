"""Stopped vehicle rule settings (``kind: stopped_vehicle``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase


class StoppedVehicleRuleConfig(RuleBase):
    """A vehicle standing still on the carriageway for `min_duration` seconds.

    Put the rule on a carriageway zone; vehicles whose anchor lies in one of the
    `exclude_zones` (parking bays, lay-bys, bus stops) never count.
    """

    kind: Literal["stopped_vehicle"] = "stopped_vehicle"
    event_kinds: ClassVar[tuple[str, ...]] = ("stopped_vehicle",)
    zone: str = Field(description="Name of a carriageway zone of this camera.")
    exclude_zones: list[str] = Field(
        default_factory=list,
        description="Zones of this camera where stopping is allowed (parking): never counted.",
    )
    classes: list[str] = Field(
        default_factory=lambda: ["car", "motorcycle", "bus", "truck"],
        description="Classes watched.",
    )
    min_duration: float = Field(
        default=30.0, gt=0, description="Seconds a vehicle must stand still before the event."
    )
    radius: float = Field(
        default=0.01, gt=0, le=0.2,
        description="A vehicle whose bottom centre stays within this fraction of the frame "
        "diagonal of where it stopped is standing still.",
    )  # fmt: skip
