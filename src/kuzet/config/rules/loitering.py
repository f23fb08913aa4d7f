"""Loitering rule settings (``kind: loitering``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase


class LoiteringRuleConfig(RuleBase):
    """A track dwelling in a zone longer than `min_duration` seconds."""

    kind: Literal["loitering"] = "loitering"
    event_kinds: ClassVar[tuple[str, ...]] = ("loitering",)
    zone: str = Field(description="Name of a zone of this camera.")
    classes: list[str] = Field(default_factory=lambda: ["person"], description="Classes watched.")
    min_duration: float = Field(
        default=60.0, ge=0, description="Seconds of dwell before the event opens."
    )
    reentry_grace: float = Field(
        default=10.0, ge=0,
        description="Seconds a track may be away (outside or unseen) and still keep its dwell.",
    )
