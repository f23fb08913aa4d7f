"""Store fixtures: a migrated store per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kuzet.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path, db_url: str | None) -> Iterator[Store]:
    """A fresh store: a SQLite file in tmp_path, or a PostgreSQL database (both engines)."""
    opened = open_store(db_url, tmp_path)
    yield opened
    opened.close()
