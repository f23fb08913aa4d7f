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
