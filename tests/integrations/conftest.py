"""Fixtures: a migrated SQLite file store and a response service with a hand-moved clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from receivers import FakeClock

from kuzet.response.service import ResponseService
from kuzet.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store on a SQLite file under ``tmp_path/data``."""
    opened = open_store(None, tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FakeClock:
    """The response service's clock (starts at the wall clock's now)."""
    return FakeClock()


@pytest.fixture
def service(store: Store, clock: FakeClock) -> ResponseService:
    """Alarms on ``store`` with the default config and the fake clock."""
    return ResponseService(store.engine, None, None, clock)
