"""Verdict feedback (``response.feedback``): the precision floor of rules and the shift report."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class FeedbackConfig(KuzetModel):
    """How verdicts measure the rules, and the shift handover report.

    A rule's precision is (confirmed + referred) / (confirmed + referred + false_alarm)
    over its alarms of the last `window_days`; `duplicate` and `no_action` verdicts
    count in neither part. Below `precision_floor`, with at least `min_verdicts`
    such verdicts, the rule is flagged to the admin (page, API, audit trail, and
    pushed over webhooks and MQTT).
    """

    precision_floor: float | None = Field(
        default=0.5, ge=0, le=1,
        description="Flag a rule whose precision falls under this (0..1); each flag and "
        "clearing is pushed to webhooks and MQTT; null = never flag.",
    )  # fmt: skip
    min_verdicts: int = Field(
        default=20, ge=1, le=100_000,
        description="Confirmed, referred and false-alarm verdicts a rule needs before it "
        "can be flagged (fewer say too little).",
    )  # fmt: skip
    window_days: float = Field(
        default=28.0, gt=0, le=3660,
        description="Days of alarms the flag and the analytics page look at by default.",
    )  # fmt: skip
    handover_hours: float = Field(
        default=8.0, gt=0, le=168, description="Default length of a shift handover report."
    )
