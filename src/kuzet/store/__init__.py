"""Persistence: SQLAlchemy models and repositories, Alembic migrations, media files.

Names are imported lazily so that camera worker processes, which only need
:mod:`kuzet.store.media`, do not load SQLAlchemy and Alembic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kuzet.store.counts import CountQuery, CountRepo
    from kuzet.store.db import Store, open_store
    from kuzet.store.events import EventPage, EventQuery, EventRepo, StoredEvent
    from kuzet.store.media import MediaStore

_EXPORTS = {
    "Store": "kuzet.store.db",
    "open_store": "kuzet.store.db",
    "CountQuery": "kuzet.store.counts",
    "CountRepo": "kuzet.store.counts",
    "EventPage": "kuzet.store.events",
    "EventQuery": "kuzet.store.events",
    "EventRepo": "kuzet.store.events",
    "StoredEvent": "kuzet.store.events",
    "MediaStore": "kuzet.store.media",
}

__all__ = [
    "CountQuery",
    "CountRepo",
    "EventPage",
    "EventQuery",
    "EventRepo",
    "MediaStore",
    "Store",
    "StoredEvent",
    "open_store",
]


def __getattr__(name: str) -> Any:
    """Import an exported name on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'kuzet.store' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
