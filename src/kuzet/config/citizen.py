"""Citizen reports (``kuzet.citizen``): the public form, its abuse limits and camera suggestions."""

from __future__ import annotations

from pydantic import Field, field_validator

from kuzet.config.base import KuzetModel

MIN_SECRET = 16


class Category(KuzetModel):
    """One choice of "what happened" on the public form."""

    id: str = Field(pattern=r"^[a-z0-9_]{1,32}$", description="Category id (stored, in the API).")
    label: str = Field(min_length=1, max_length=80, description="Label shown to citizens.")


DEFAULT_CATEGORIES = (
    Category(id="violence", label="Fight or violence"),
    Category(id="theft", label="Theft or robbery"),
    Category(id="traffic", label="Dangerous driving or a crash"),
    Category(id="vandalism", label="Damage to property"),
    Category(id="suspicious", label="Suspicious object or behaviour"),
    Category(id="other", label="Something else"),
)


class RateLimit(KuzetModel):
    """At most ``count`` requests per ``per_s`` seconds (a token bucket)."""

    count: int = Field(ge=1, le=100000, description="Requests allowed in the window.")
    per_s: float = Field(gt=0, le=86400, description="Window length in seconds.")


class CitizenConfig(KuzetModel):
    """The public report intake (`/report`, `POST /api/public/reports`); off unless enabled."""

    enabled: bool = Field(default=False, description="Serve the public form and API.")
    categories: list[Category] = Field(
        default_factory=lambda: list(DEFAULT_CATEGORIES), min_length=1,
        description="What citizens can report (ids must be unique).",
    )
    max_photos: int = Field(default=3, ge=0, le=10, description="Photos per report.")
    max_photo_bytes: int = Field(
        default=8_000_000, ge=10_000, le=50_000_000, description="Largest photo file accepted."
    )
    max_photo_pixels: int = Field(
        default=40_000_000, ge=10_000, le=200_000_000,
        description="Decode limit: width x height of a photo (decompression bombs are refused).",
    )
    display_max_side: int = Field(
        default=1600, ge=64, le=8192, description="Longest side of the re-encoded copy shown."
    )
    max_description: int = Field(default=2000, ge=10, le=20000, description="Description length.")
    max_age_s: float = Field(
        default=7 * 86400, gt=0, description="Oldest `occurred_at` accepted (seconds ago)."
    )
    camera_radius_m: float = Field(
        default=300.0, gt=0, le=50000, description="Cameras within this distance are suggested."
    )
    max_cameras: int = Field(default=5, ge=0, le=50, description="Most cameras suggested.")
    duplicate_radius_m: float = Field(
        default=50.0, ge=0, le=5000, description="A report this close to another ..."
    )
    duplicate_window_s: float = Field(
        default=900.0, ge=0, le=86400,
        description="... of the same category within this many seconds is a duplicate.",
    )
    pow_bits: int = Field(
        default=16, ge=0, le=28,
        description="Proof of work: leading zero bits of SHA-256 the browser must find "
        "(16 is about 65,000 hashes, a second or two on a phone); 0 turns it off.",
    )
    challenge_ttl_s: float = Field(default=900.0, ge=30, le=86400, description="Challenge life.")
    secret: str | None = Field(
        default=None,
        description="Key that signs challenges and hashes device tokens (16+ characters, "
        "from the environment); unset = a random key per start (challenges then die "
        "with the process).",
    )
    per_ip: RateLimit = Field(
        default=RateLimit(count=5, per_s=600), description="Reports per client address."
    )
    per_device: RateLimit = Field(
        default=RateLimit(count=3, per_s=600), description="Reports per device token."
    )
    challenges_per_ip: RateLimit = Field(
        default=RateLimit(count=30, per_s=600), description="Challenges per client address."
    )
    status_per_ip: RateLimit = Field(
        default=RateLimit(count=120, per_s=600), description="Status look-ups per address."
    )

    @field_validator("categories")
    @classmethod
    def _unique(cls, value: list[Category]) -> list[Category]:
        ids = [c.id for c in value]
        if len(set(ids)) != len(ids):
            raise ValueError(f"category ids must be unique, got {ids}")
        return value

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value) < MIN_SECRET:
            raise ValueError(f"citizen.secret needs at least {MIN_SECRET} characters")
        return value

    def category(self, category_id: str) -> Category | None:
        """The category with this id, or None."""
        return next((c for c in self.categories if c.id == category_id), None)
