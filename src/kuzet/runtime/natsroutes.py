"""``bus.kind: nats``: camera output goes through NATS JetStream to the store.

The in-process buses still collect what the supervisor's cameras produce. With
NATS configured, the outbox (``<data dir>/outbox.db``) no longer writes the store
itself: it publishes to JetStream and retries while NATS is unreachable (nothing
is lost on this node). Durable consumers (on this node, or any node with the same
``bus`` section) then write the store idempotently and open alarms after each
event's row, as the embedded path does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kuzet.config.root import KuzetConfig
from kuzet.core.counts import LineCount
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.events.transport import COUNTS, EVENTS, Topic, Unsubscribe
from kuzet.runtime.durability import DurableWrites
from kuzet.scale.natsbus import NatsBus
from kuzet.scale.store_writer import write_to_store
from kuzet.store import Store

log = logging.getLogger(__name__)


def _publisher(nats: NatsBus, topic: Topic[Any]) -> Callable[[Any, str], None]:
    """An outbox handler that publishes; a NATS failure is an outage (retry later)."""

    def publish(item: Any, key: str) -> None:
        try:
            nats.publish(topic, item)
        except OSError:
            raise
        except Exception as error:  # nats-py's errors: the outbox retries OSErrors only
            raise ConnectionError(f"NATS unavailable: {error!r}") from error

    return publish


def route_over_nats(
    config: KuzetConfig,
    writes: DurableWrites,
    buses: tuple[Bus[Event], Bus[tuple[LineCount, ...]]],
    store: Store,
    after_event: Callable[[Event], None],
) -> tuple[NatsBus, list[Unsubscribe]]:
    """Connect to NATS, publish events and counts through the outbox, consume them.

    Args:
        config: The whole config (``bus`` section, camera sites).
        writes: The outbox router.
        buses: The in-process event and counts buses.
        store: Where the consumers write.
        after_event: Runs after an event's row is written (the alarm sink).

    Returns:
        The NATS bus (close it last) and the unsubscribe functions.
    """
    sites = {cid: cam.site or "_" for cid, cam in config.cameras.items()}
    nats = NatsBus(config.bus, sites)
    events, counts = buses
    stops = [writes.route(events, "nats_event", _publisher(nats, EVENTS)),
             writes.route(counts, "nats_counts", _publisher(nats, COUNTS))]

    class Events:
        def upsert(self, event: Event) -> None:
            store.events.upsert(event)
            after_event(event)

    stops += write_to_store(nats, Events(), store.counts)
    log.info("event bus: NATS JetStream at %s, stream %s", config.bus.url, config.bus.stream)
    return nats, stops
