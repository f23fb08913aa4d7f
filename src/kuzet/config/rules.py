"""Rule settings: one model per rule kind, chosen by `kind`."""

from typing import Annotated, Literal

from pydantic import Field

from kuzet.config.base import KuzetModel
from kuzet.core.types import Severity

StartHour = Annotated[int, Field(ge=0, le=23)]
EndHour = Annotated[int, Field(ge=0, le=24)]


class RuleBase(KuzetModel):
    """Settings shared by every rule."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Unique rule id within the camera.")
    enabled: bool = Field(default=True, description="Turn the rule off without deleting it.")
    severity: Severity = Field(default=Severity.ALERT, description="alert | detection | critical.")
    cooldown: float = Field(
        default=30.0, ge=0,
        description="Seconds after an event closes before the same rule may open another.",
    )
    active_hours: tuple[StartHour, EndHour] | None = Field(
        default=None,
        description=(
            "[start, end) local hours when the rule is active; [22, 6] wraps midnight, "
            "[8, 24] is 08:00 to midnight, equal hours or null = always."
        ),
    )


class ZonePresenceRuleConfig(RuleBase):
    """Objects of given classes inside a zone for at least `min_duration` seconds."""

    kind: Literal["zone_presence"] = "zone_presence"
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


RuleConfig = Annotated[ZonePresenceRuleConfig, Field(discriminator="kind")]
