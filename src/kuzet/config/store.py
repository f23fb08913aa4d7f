"""Where data is stored."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class StoreConfig(KuzetModel):
    """Database and media location."""

    url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL; null = SQLite file `kuzet.db` in the data dir. "
            "PostgreSQL: `postgresql+psycopg://user:${PGPASSWORD}@host/db`."
        ),
    )
    media_dir: str | None = Field(
        default=None,
        description="Media folder (object-store key layout); null = `<data dir>/media`.",
    )
    outbox_max_mb: float = Field(
        default=256.0, gt=0, le=1_000_000,
        description="Size bound of the outbox (`<data dir>/outbox.db`) that holds store writes "
        "while the database is locked, read-only or down; when full, camera output waits "
        "(back-pressure) instead of being dropped.",
    )
    purge_below_free_mb: float = Field(
        default=1024.0, ge=0,
        description="High watermark of the storage guard: when free space of the data dir or "
        "the media dir falls below this, the oldest media not under legal hold are purged "
        "until it is above again. 0 = off.",
    )
    floor_free_mb: float = Field(
        default=256.0, ge=0,
        description="Hard floor: below this much free space, media writing (snapshots, crops) "
        "pauses and the storage state is `floor` (cameras report degraded); analysis and "
        "events continue. 0 = off.",
    )
    space_check_every: float = Field(
        default=10.0, gt=0, le=3600, description="Seconds between storage-guard checks."
    )
