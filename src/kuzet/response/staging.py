"""The transactional outbox of alarm, incident and rule-flag changes.

Every change is written with what must leave the system because of it (a
webhook delivery row, ...) in one transaction: each writer subscribed here is
called *inside* the change's transaction with its connection and the change.
A crash after the commit cannot lose a delivery (it is in the store with the
change), and a failed write rolls both back. What needs no durability (the
console's live stream, MQTT) follows after the commit on
``ResponseService.updates``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.engine import Connection

from kuzet.response.views import ResponseUpdate

Stage = Callable[[Connection, ResponseUpdate], object]
"""Writes what one change must send, on the change's own connection (no commit)."""


class Staging:
    """Writers called inside every change's transaction (see the module docstring).

    Unlike the event bus, a failing writer is not caught: the change rolls back
    with it, so a change is never stored without its deliveries.

    Example:
        >>> staging = Staging()
        >>> unsubscribe = staging.subscribe(lambda conn, update: None)
        >>> unsubscribe()
    """

    def __init__(self) -> None:
        self._stages: list[Stage] = []
        self._lock = threading.Lock()

    def subscribe(self, stage: Stage) -> Callable[[], None]:
        """Call ``stage`` in every change's transaction; returns the unsubscribe function."""
        with self._lock:
            self._stages.append(stage)

        def unsubscribe() -> None:
            with self._lock:
                if stage in self._stages:
                    self._stages.remove(stage)

        return unsubscribe

    def __call__(self, conn: Connection, update: ResponseUpdate) -> None:
        """Run every writer for ``update`` on ``conn`` (inside the caller's transaction)."""
        with self._lock:
            stages = list(self._stages)
        for stage in stages:
            stage(conn, update)
