"""Where data is stored."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from kuzet.config.base import KuzetModel


class S3Config(KuzetModel):
    """An S3-compatible bucket for media (AWS S3, SeaweedFS, MinIO, Ceph RGW)."""

    endpoint_url: str | None = Field(
        default=None,
        description="S3 endpoint, e.g. `http://10.0.0.5:8333`; null = AWS S3 of `region`.",
    )
    bucket: str = Field(default="", description="Bucket (must exist).")
    prefix: str = Field(
        default="",
        description="Key prefix inside the bucket, e.g. `kuzet/site1` (no leading or "
        "trailing `/`); media keys go under it unchanged.",
        pattern=r"^([A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*)?$",
    )
    region: str = Field(default="us-east-1", description="Signing region.")
    access_key_id: str | None = Field(
        default=None,
        description="Access key; null = boto3's usual chain (`AWS_ACCESS_KEY_ID`, "
        "`~/.aws`, instance role). Use `${ENV_VAR}` rather than a literal secret.",
    )
    secret_access_key: str | None = Field(
        default=None,
        description="Secret key; null = boto3's chain (`AWS_SECRET_ACCESS_KEY`, ...). "
        "Use `${ENV_VAR}`.",
    )
    addressing_style: Literal["path", "virtual", "auto"] = Field(
        default="path",
        description="`path` (`endpoint/bucket/key`, what most self-hosted servers need) "
        "or `virtual` (`bucket.endpoint/key`).",
    )
    timeout: float = Field(
        default=10.0, gt=0, le=600, description="Connect and read timeout (s) of one request."
    )


class MediaConfig(KuzetModel):
    """Where evidence media (snapshots, crops, field photos) are kept."""

    kind: Literal["local", "s3"] = Field(
        default="local",
        description="`local`: files under `store.media_dir`; `s3`: objects in "
        "`store.media.s3` with the same keys. Recordings and their segments stay on "
        "local disk either way.",
    )
    s3: S3Config = Field(default_factory=S3Config, description="The bucket when `kind: s3`.")

    @model_validator(mode="after")
    def _bucket_given(self) -> MediaConfig:
        if self.kind == "s3" and not self.s3.bucket:
            raise ValueError("store.media.kind is s3 but store.media.s3.bucket is empty")
        return self


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
    media: MediaConfig = Field(
        default_factory=MediaConfig, description="Media backend: local folder or S3 bucket."
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
