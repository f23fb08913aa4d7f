"""Fixtures: a migrated store (both engines) and a response service with a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from response_factories import FakeClock, open_service

from kuzet.response.service import ResponseService


@pytest.fixture
def clock() -> FakeClock:
    """The service's clock (starts at T0)."""
    return FakeClock()


@pytest.fixture
def service(tmp_path: Path, clock: FakeClock, db_url: str | None) -> Iterator[ResponseService]:
    """A service on a fresh store (SQLite file and PostgreSQL) with the default config."""
    store, opened = open_service(tmp_path, clock=clock, url=db_url)
    yield opened
    store.close()
