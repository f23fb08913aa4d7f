"""Opening the database: engine, SQLite pragmas, migrations to head."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from kuzet.store.counts import CountRepo
from kuzet.store.events import EventRepo

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


@dataclass
class Store:
    """An open database: the engine and one repository per table group.

    Attributes:
        engine: SQLAlchemy engine (thread-safe, pooled).
        events: Event repository.
        counts: Line count repository.
    """

    engine: Engine
    events: EventRepo
    counts: CountRepo

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while a sink writes; busy_timeout waits for the
    # writer lock instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and cross-thread use.

    Args:
        url: SQLAlchemy URL.

    Returns:
        The engine.
    """
    is_sqlite = sa.make_url(url).get_backend_name() == "sqlite"
    connect_args: dict[str, Any] = {"check_same_thread": False} if is_sqlite else {}
    engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=not is_sqlite)
    if is_sqlite:
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic config pointing at the migrations shipped in this package.

    Args:
        engine: Engine to migrate; env.py connects through it.

    Returns:
        A config usable with :mod:`alembic.command`.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate up to ``revision`` (default: every head, so independent branches all apply)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the database behind ``engine`` down to ``revision``."""
    command.downgrade(alembic_config(engine), revision)


def open_store(url: str | None, data_dir: Path) -> Store:
    """Open (and migrate to head) the database.

    Args:
        url: SQLAlchemy URL; None means the SQLite file ``<data_dir>/kuzet.db``.
        data_dir: Kuzet's data folder (created if missing).

    Returns:
        The open store; call :meth:`Store.close` when done.

    Example:
        >>> store = open_store(None, Path("/tmp/kuzet-doc"))  # doctest: +SKIP
        >>> store.events.count(EventQuery())  # doctest: +SKIP
        0
    """
    if url is None:
        data_dir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{(data_dir / 'kuzet.db').resolve()}"
    engine = create_db_engine(url)
    upgrade(engine)
    log.info("store open at %s", engine.url.render_as_string(hide_password=True))
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Store(engine=engine, events=EventRepo(sessions), counts=CountRepo(sessions))
