"""Alembic migrations: up, down, up again on a fresh file; the models match head."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kuzet.store.db import create_db_engine, downgrade, upgrade
from kuzet.store.models import Base


def _import_every_table() -> None:
    """Tables are declared by the packages that own them (identity, privacy, response ...),
    above the store; import every kuzet module so Base.metadata holds them all, whatever
    else this test run imported."""
    import kuzet

    for info in pkgutil.walk_packages(kuzet.__path__, "kuzet."):
        if ".migrations" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    _import_every_table()
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        upgrade(engine)
        assert {"events", "alembic_version"} <= _tables(engine)
        indexes = {ix["name"] for ix in sa.inspect(engine).get_indexes("events")}
        assert {"ix_events_camera_started", "ix_events_kind_started"} <= indexes
        downgrade(engine)
        assert "events" not in _tables(engine)
        upgrade(engine)
        assert "events" in _tables(engine)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()


def test_open_store_uses_wal_and_busy_timeout(tmp_path: Path) -> None:
    from kuzet.store import open_store

    store = open_store(None, tmp_path / "data")
    try:
        assert (tmp_path / "data" / "kuzet.db").is_file()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 1000
    finally:
        store.close()
    reopened = open_store(None, tmp_path / "data")  # migrating an up-to-date DB is a no-op
    reopened.close()
