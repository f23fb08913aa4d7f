"""Unusual crowd rule settings (``kind: unusual_crowd``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase


class UnusualCrowdRuleConfig(RuleBase):
    """More objects than usual for this zone and hour of the week (a learned baseline)."""

    kind: Literal["unusual_crowd"] = "unusual_crowd"
    event_kinds: ClassVar[tuple[str, ...]] = ("unusual_crowd",)
    zone: str | None = Field(default=None, description="Zone name; null = the whole frame.")
    classes: list[str] = Field(default_factory=lambda: ["person"], description="Classes counted.")
    margin_abs: float = Field(
        default=3.0, ge=0, description="Alert above mean + max(margin_abs, margin_sigma * std)."
    )
    margin_sigma: float = Field(default=3.0, ge=0, description="Standard deviations of margin.")
    min_history: int = Field(
        default=10, ge=1,
        description="Observed minutes an hour-of-week bin needs before its baseline is used.",
    )
    threshold: int | None = Field(
        default=None, ge=1,
        description="Fixed count used while the bin has too little history; null = no alert.",
    )
    min_duration: float = Field(
        default=30.0, ge=0, description="Seconds the count must stay above the limit."
    )
    close_after: float = Field(
        default=30.0, ge=0, description="Seconds at or below the limit before the event closes."
    )
    learn_during_alert: bool = Field(
        default=False, description="Also learn from minutes while an event is open."
    )
    save_every: float = Field(
        default=300.0, gt=0, description="Seconds between writes of the baseline to disk."
    )
