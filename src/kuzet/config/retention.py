"""How long each class of data is kept (enforced by ``kuzet.privacy.retention``)."""

from pydantic import Field

from kuzet.config.base import KuzetModel

MAX_DAYS = 36500


class RetentionConfig(KuzetModel):
    """Days to keep each data class; null keeps it forever. Held events are never purged."""

    events: int | None = Field(
        default=90, ge=1, le=MAX_DAYS, description="Event records (and their media)."
    )
    snapshots: int | None = Field(
        default=30, ge=1, le=MAX_DAYS, description="Snapshot images; the event record stays."
    )
    clips: int | None = Field(default=30, ge=1, le=MAX_DAYS, description="Video clips.")
    plate_reads: int | None = Field(
        default=30, ge=1, le=MAX_DAYS, description="Licence-plate reads."
    )
    face_sightings: int | None = Field(
        default=7, ge=1, le=MAX_DAYS, description="Face sightings (unknown faces are never kept)."
    )
    field_positions: int | None = Field(
        default=7, ge=1, le=MAX_DAYS,
        description="Positions shared by field officers on duty (field app).",
    )
    audit: int | None = Field(
        default=3650,
        ge=1,
        le=MAX_DAYS,
        description="Audit records; pruned only as whole signed prefixes (chain stays verifiable).",
    )
    run_every: float = Field(
        default=3600.0, ge=10, le=604800, description="Seconds between runs inside `kuzet serve`."
    )

    @classmethod
    def data_classes(cls) -> tuple[str, ...]:
        """Names of the data classes that have a limit (every field but ``run_every``)."""
        return tuple(name for name in cls.model_fields if name != "run_every")
