"""Durable consumers that write bus messages to the store, idempotently.

At-least-once delivery means a message may come twice (a node died after the
write and before the acknowledgement). Each write is therefore keyed:

- an event update is an upsert by event id (a closed event stays closed);
- a counts batch is added under its delivery key, which the store records in
  ``applied_writes`` in the same transaction, so a second delivery is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kuzet.core.counts import LineCount
from kuzet.core.types import Event
from kuzet.events.transport import COUNTS, EVENTS, MessageBus, Unsubscribe

STORE_EVENTS = "store-events"
STORE_COUNTS = "store-counts"


class EventWrites(Protocol):
    """What the writer needs from the events repository (``EventRepo``)."""

    def upsert(self, event: Event) -> None:
        """Insert or update by id."""


class CountWrites(Protocol):
    """What the writer needs from the counts repository (``CountRepo``)."""

    def add(self, counts: Sequence[LineCount], write_key: str | None = None) -> None:
        """Add increments once per ``write_key``."""


def write_to_store(bus: MessageBus, events: EventWrites, counts: CountWrites) -> list[Unsubscribe]:
    """Consume events and counts from ``bus`` into the store.

    Args:
        bus: The message bus (several nodes may run this with the same bus: the
            durable consumers share the messages between them).
        events: ``store.events``.
        counts: ``store.counts``.

    Returns:
        The functions that stop the two consumers.

    Example:
        >>> stops = write_to_store(bus, store.events, store.counts)  # doctest: +SKIP
    """
    return [
        bus.consume(EVENTS, STORE_EVENTS, lambda event, key: events.upsert(event)),
        bus.consume(COUNTS, STORE_COUNTS, lambda batch, key: counts.add(batch, key)),
    ]
