"""Prometheus `/metrics` (``kuzet.metrics``) and the public transparency report."""

from __future__ import annotations

from pydantic import Field, field_validator

from kuzet.config.base import KuzetModel

MIN_TOKEN = 16


class MetricsConfig(KuzetModel):
    """`GET /metrics` in the Prometheus text format, behind a bearer token."""

    token: str | None = Field(
        default=None,
        description="Bearer token scrapers send (`Authorization: Bearer ...`), 16+ characters "
        "from the environment (`${METRICS_TOKEN}`); unset = no /metrics endpoint.",
    )

    @field_validator("token")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value) < MIN_TOKEN:
            raise ValueError(f"metrics.token needs at least {MIN_TOKEN} characters")
        return value


class TransparencyConfig(KuzetModel):
    """The aggregate public report (`kuzet report transparency`)."""

    min_count: int = Field(
        default=5, ge=1, le=1000,
        description="Counts below this are published as `<k` (suppressed), never exactly.",
    )
    title: str = Field(
        default="Kuzet transparency report", max_length=200, description="Report title."
    )
