"""Crowd rule settings (``kind: crowd``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase


class CrowdRuleConfig(RuleBase):
    """At least `min_count` objects in a zone (or the frame) for `min_duration` seconds."""

    kind: Literal["crowd"] = "crowd"
    event_kinds: ClassVar[tuple[str, ...]] = ("crowd",)
    zone: str | None = Field(default=None, description="Zone name; null = the whole frame.")
    classes: list[str] = Field(default_factory=lambda: ["person"], description="Classes counted.")
    min_count: int = Field(default=10, ge=1, description="Objects needed at once.")
    min_duration: float = Field(
        default=10.0, ge=0, description="Seconds the count must stay at or above `min_count`."
    )
    close_after: float = Field(
        default=10.0, ge=0, description="Seconds below `min_count` before the event closes."
    )
