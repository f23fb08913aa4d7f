"""Zone presence rule settings (``kind: zone_presence``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase


class ZonePresenceRuleConfig(RuleBase):
    """Objects of given classes inside a zone for at least `min_duration` seconds."""

    kind: Literal["zone_presence"] = "zone_presence"
    event_kinds: ClassVar[tuple[str, ...]] = ("zone_presence",)
    zone: str = Field(description="Name of a zone of this camera.")
    classes: list[str] = Field(default_factory=lambda: ["person"], description="Classes watched.")
    min_duration: float = Field(
        default=3.0, ge=0, description="Seconds an object must stay in the zone."
    )
    min_objects: int = Field(default=1, ge=1, description="Objects needed at the same time.")
    close_after: float = Field(
        default=3.0, ge=0,
        description="Seconds with too few objects before the event closes.",
    )
