"""The one small interface of the message plane, and its in-process implementation.

Camera output travels as typed messages on topics (``event``, ``health``,
``counts``, ``plate_read``). A bus carries them either inside one process
(:class:`EmbeddedBus`, the default) or between machines (``kuzet.scale.natsbus``,
NATS JetStream, subjects ``kuzet.<site>.<camera>.<kind>``). Both give:

- ``subscribe``: live delivery of what is published from now on (SSE, live push);
- ``consume``: at-least-once delivery under a durable name, with a delivery key
  that stays the same when a message is delivered again, so a store write keyed
  by it (or by the event id) is applied once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from kuzet.core.counts import LineCount
from kuzet.core.health import CameraHealth
from kuzet.core.sightings import PlateRead
from kuzet.core.types import Event
from kuzet.events.bus import Bus

T = TypeVar("T")
Unsubscribe = Callable[[], None]


@dataclass(frozen=True)
class Topic(Generic[T]):
    """A kind of message: its subject suffix, its type and where its camera id is.

    Attributes:
        kind: Last subject token (``event``, ``counts`` ...).
        type: The message type (a dataclass, or a tuple of them).
        camera_of: The camera id of a message.
    """

    kind: str
    type: Any
    camera_of: Callable[[T], str]


def _batch_camera(batch: tuple[LineCount, ...]) -> str:
    return batch[0].camera_id if batch else "_"


EVENTS: Topic[Event] = Topic("event", Event, lambda e: e.camera_id)
HEALTH: Topic[CameraHealth] = Topic("health", CameraHealth, lambda h: h.camera_id)
COUNTS: Topic[tuple[LineCount, ...]] = Topic("counts", tuple[LineCount, ...], _batch_camera)
PLATE_READS: Topic[PlateRead] = Topic("plate_read", PlateRead, lambda r: r.camera_id)
TOPICS: tuple[Topic[Any], ...] = (EVENTS, HEALTH, COUNTS, PLATE_READS)


class MessageBus(Protocol):
    """What camera shards publish to and the store, services and API read from."""

    @property
    def failures(self) -> int:
        """Subscriber and consumer calls that raised (logged, never fatal)."""

    def publish(self, topic: Topic[T], item: T) -> None:
        """Send ``item``; returns once the bus has it (stored, for JetStream)."""

    def subscribe(self, topic: Topic[T], callback: Callable[[T], None]) -> Unsubscribe:
        """Deliver every later ``topic`` message to ``callback`` (no replay, no ack)."""

    def consume(
        self, topic: Topic[T], durable: str, handler: Callable[[T, str], None]
    ) -> Unsubscribe:
        """At-least-once delivery to ``handler(item, key)`` under the name ``durable``.

        On JetStream a message is acknowledged when ``handler`` returns; if it
        raises, or the node dies first, the message comes again with the same
        ``key``. In-process, the outbox (``kuzet.runtime.durability``) gives that.
        """

    def close(self) -> None:
        """Stop deliveries and release connections."""


class EmbeddedBus:
    """:class:`MessageBus` inside one process: one :class:`Bus` per topic.

    ``consume`` handlers run in the publisher's thread; durability there comes
    from the outbox (``kuzet.runtime.durability``), not from the bus.

    Example:
        >>> bus = EmbeddedBus()
        >>> got = []
        >>> _ = bus.subscribe(HEALTH, got.append)
        >>> bus.publish(HEALTH, CameraHealth("cam", CameraState.ONLINE))  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._buses: dict[str, Bus[Any]] = {}

    @property
    def failures(self) -> int:
        """Subscriber calls that raised, over every topic."""
        return sum(bus.failures for bus in self._buses.values())

    def bus(self, topic: Topic[T]) -> Bus[T]:
        """The in-process :class:`Bus` behind ``topic`` (for the embedded wiring)."""
        return self._buses.setdefault(topic.kind, Bus())

    def publish(self, topic: Topic[T], item: T) -> None:
        """Deliver ``item`` to the topic's subscribers and consumers now."""
        self.bus(topic).publish(item)

    def subscribe(self, topic: Topic[T], callback: Callable[[T], None]) -> Unsubscribe:
        """Register ``callback`` on the topic."""
        return self.bus(topic).subscribe(callback)

    def consume(
        self, topic: Topic[T], durable: str, handler: Callable[[T, str], None]
    ) -> Unsubscribe:
        """Call ``handler(item, key)`` with a fresh key per published message."""

        def deliver(item: T) -> None:
            handler(item, f"{durable}:{uuid.uuid4().hex}")

        return self.bus(topic).subscribe(deliver)

    def close(self) -> None:
        """Drop every subscriber."""
        self._buses.clear()
