"""Store fixtures: a migrated SQLite file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kuzet.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store on a SQLite file in tmp_path."""
    opened = open_store(None, tmp_path)
    yield opened
    opened.close()
