"""Request and answer bodies of the public citizen report API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class ReportIn(BaseModel):
    """A citizen report (`POST /api/public/reports`)."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(max_length=32, description="A category id from `GET /api/public/form`.")
    description: str = Field(max_length=20000, description="What happened.")
    occurred_at: AwareDatetime = Field(description="When (ISO 8601 with an offset).")
    lat: float | None = Field(default=None, ge=-90, le=90, description="Latitude (WGS 84).")
    lon: float | None = Field(default=None, ge=-180, le=180, description="Longitude (WGS 84).")
    location_source: Literal["map", "device", "text"] = Field(
        default="map", description="Where lat/lon came from: a map pick or the phone's "
        "position (given with the citizen's consent)."
    )
    place: str | None = Field(default=None, max_length=500, description="Address or landmark.")
    photos: list[str] = Field(
        default_factory=list, max_length=10,
        description="Photos as base64 (or `data:` URLs): JPEG, PNG or WebP.",
    )
    contact: str | None = Field(
        default=None, max_length=200, description="Optional phone or e-mail for a call back."
    )
    device_token: str | None = Field(
        default=None, max_length=64, description="A random id the app keeps (rate limits)."
    )
    challenge: str | None = Field(default=None, max_length=200, description="From /challenge.")
    nonce: str | None = Field(default=None, max_length=32, description="The solution.")


class ReceiptOut(BaseModel):
    """The answer to an accepted report."""

    ref: str = Field(description="Reference number to quote.")
    status_url: str = Field(description="The status page; its `#` part is the secret token.")
    token: str = Field(description="Status token (keep it; shown once).")
    received_at: datetime


class ChallengeOut(BaseModel):
    """A proof-of-work challenge: find `nonce` so that SHA-256(`challenge:nonce`) starts
    with `bits` zero bits."""

    challenge: str
    bits: int
    expires_at: float


class CategoryOut(BaseModel):
    """A category of the form."""

    id: str
    label: str


class FormOut(BaseModel):
    """What a front end needs to build the form."""

    categories: list[CategoryOut]
    max_photos: int
    max_photo_bytes: int
    max_description: int
    pow_bits: int


class StatusOut(BaseModel):
    """A report's public status (no personal data)."""

    ref: str
    category: str
    received_on: str
    state: Literal["received", "in_progress", "closed"]
    outcome: str | None
    updated_on: str
