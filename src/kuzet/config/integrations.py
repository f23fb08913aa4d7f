"""Integrations (``kuzet.integrations``): signed webhooks and MQTT of alarm/incident changes."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, HttpUrl, field_validator

from kuzet.config.base import KuzetModel
from kuzet.config.events import MqttConfig


class Topic(StrEnum):
    """What a webhook endpoint receives."""

    ALARM = "alarm"
    INCIDENT = "incident"
    ESCALATION = "escalation"


MIN_SECRET = 16


class WebhookConfig(KuzetModel):
    """One HTTP endpoint that receives signed JSON deliveries (HMAC-SHA256)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Endpoint id (in logs, API).")
    url: HttpUrl = Field(description="Where deliveries are POSTed (http or https).")
    secret: str = Field(
        description="Shared signing secret, at least 16 characters; put it in the "
        "environment and write `${WEBHOOK_SECRET}`, never a literal."
    )
    topics: list[Topic] = Field(
        default_factory=list,
        description="alarm | incident | escalation; empty = all of them.",
    )
    timeout: float = Field(default=5.0, gt=0, le=60, description="Seconds per attempt.")
    max_attempts: int = Field(
        default=8, ge=1, le=50, description="Attempts before a delivery is dead-lettered."
    )
    backoff: float = Field(
        default=2.0, gt=0, le=3600, description="Seconds before the first retry; doubles."
    )
    backoff_max: float = Field(
        default=600.0, gt=0, le=86400, description="Longest wait between two attempts."
    )

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if len(value) < MIN_SECRET:
            raise ValueError(f"a webhook secret needs at least {MIN_SECRET} characters "
                             f"(got {len(value)}); is its environment variable set?")
        return value

    def wants(self, topic: str) -> bool:
        """Whether this endpoint receives ``topic``."""
        return not self.topics or topic in self.topics


class IntegrationsConfig(KuzetModel):
    """Where alarm, incident and escalation changes are pushed besides the console."""

    webhooks: list[WebhookConfig] = Field(
        default_factory=list, description="Signed webhook endpoints (names unique)."
    )
    mqtt: MqttConfig | None = Field(
        default=None,
        description="Broker for alarm/incident topics (`<prefix>/<site>/<camera>/alarms`, "
        "`<prefix>/incidents`, `<prefix>/escalations`, retained `<prefix>/available`); "
        "null = off.",
    )
    poll: float = Field(
        default=1.0, gt=0, le=60, description="Seconds between checks for due webhook retries."
    )
    keep_delivered_days: float = Field(
        default=7.0, gt=0, le=3650,
        description="Delivered webhook deliveries are deleted after this many days; dead "
        "ones stay until an administrator retries them.",
    )

    @field_validator("webhooks")
    @classmethod
    def _unique(cls, hooks: list[WebhookConfig]) -> list[WebhookConfig]:
        names = [h.name for h in hooks]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"webhook names must be unique; repeated: {dupes}")
        return hooks
