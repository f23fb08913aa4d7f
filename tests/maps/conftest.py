"""Map fixtures: a migrated SQLite file and a media folder per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kuzet.maps.plans import SitePlans
from kuzet.store import MediaStore, open_store


@pytest.fixture
def plans(tmp_path: Path) -> Iterator[SitePlans]:
    """Site plans on a fresh store and media folder in tmp_path."""
    store = open_store(None, tmp_path)
    yield SitePlans(store.engine, MediaStore(tmp_path / "media"))
    store.close()
