"""NATS JetStream bus: subjects, durability, shared consumers and idempotent store writes.

Everything runs against a real nats-server started on loopback for each test
(tests/natsserver.py) and a real store (SQLite file and PostgreSQL via ``db_url``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bus_samples import COUNT_BATCH, EVENT, PLATE, wait_for
from kuzet.core.counts import LineCount
from kuzet.core.types import Event, EventPhase
from kuzet.events.transport import COUNTS, EVENTS, PLATE_READS
from kuzet.scale.natsbus import token
from kuzet.scale.store_writer import write_to_store
from kuzet.store import open_store
from kuzet.store.counts import CountQuery
from kuzet.store.events import EventQuery

pytestmark = pytest.mark.parametrize("bus_kind", ["nats"])


@pytest.mark.parametrize(("name", "expected"), [
    ("gate", "gate"), ("north gate.2", "north_gate_2"), ("a*b>c", "a_b_c"), ("", "_")])
def test_token(bus_kind: str, name: str, expected: str) -> None:
    assert token(name) == expected


def test_subjects_carry_site_camera_and_kind(bus_factory: Any) -> None:
    bus = bus_factory()
    assert bus.subject(EVENTS, EVENT) == "kuzet.north.gate.event"
    assert bus.subject(COUNTS, COUNT_BATCH) == "kuzet.north.gate.counts"
    assert bus.subject(PLATE_READS, PLATE) == "kuzet.north.gate.plate_read"


def test_a_consumer_that_was_down_gets_the_backlog(bus_factory: Any) -> None:
    first: list[int] = []
    stop = bus_factory().consume(EVENTS, "writer", lambda e, k: first.append(e.attrs["n"]))
    camera = bus_factory()
    camera.publish(EVENTS, _event(0))
    wait_for(lambda: first == [0])
    stop()
    time.sleep(0.7)  # the pull loop sees the cancel
    for n in range(1, 6):
        camera.publish(EVENTS, _event(n))
    later: list[int] = []
    bus_factory().consume(EVENTS, "writer", lambda e, k: later.append(e.attrs["n"]))
    wait_for(lambda: len(later) == 5)
    assert later == [1, 2, 3, 4, 5]


def test_nodes_with_one_durable_name_share_the_messages(bus_factory: Any) -> None:
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()
    for node in (1, 2):
        def handle(event: Event, key: str, node: int = node) -> None:
            with lock:
                seen.append((node, event.attrs["n"]))
        bus_factory().consume(EVENTS, "writer", handle)
    camera = bus_factory()
    for n in range(40):
        camera.publish(EVENTS, _event(n))
    wait_for(lambda: len(seen) == 40)
    time.sleep(0.5)
    assert sorted(n for _, n in seen) == list(range(40))  # each once, none twice


class CrashBeforeAck:
    """A repository that writes, then dies before the acknowledgement the first time."""

    def __init__(self, repo: Any, method: str) -> None:
        self.write = getattr(repo, method)
        self.calls: list[str | None] = []

    def _once(self, key: str | None) -> None:
        self.calls.append(key)
        if len(self.calls) == 1:
            raise ConnectionError("node died after the write, before the ack")

    def upsert(self, event: Event) -> None:
        self.write(event)
        self._once(None)

    def add(self, counts: Sequence[LineCount], write_key: str | None = None) -> None:
        self.write(counts, write_key)
        self._once(write_key)


def test_redelivery_never_duplicates_a_row(bus_factory: Any, db_url: str | None,
                                           tmp_path: Path) -> None:
    store = open_store(db_url, tmp_path)
    events = CrashBeforeAck(store.events, "upsert")
    counts = CrashBeforeAck(store.counts, "add")
    bus = bus_factory(ack_wait=2.0)
    write_to_store(bus, events, counts)
    bus.publish(EVENTS, EVENT)
    bus.publish(EVENTS, _event(1, phase=EventPhase.CLOSE))
    bus.publish(COUNTS, COUNT_BATCH)
    wait_for(lambda: len(events.calls) == 3 and len(counts.calls) == 2, timeout=30,
             what=lambda: f"event writes {events.calls}, count writes {counts.calls}")
    assert counts.calls[0] == counts.calls[1] is not None  # the same key, delivered again
    time.sleep(0.5)
    assert store.events.count(EventQuery()) == 2
    assert store.events.get("ev-1") is not None
    series = store.counts.series(CountQuery(camera_id="gate", bucket=3600))
    totals = {(s.label, s.direction): s.total for s in series}
    assert totals == {("car", "in"): 3, ("bus", "out"): 1}
    assert bus.failures == 2
    store.close()


def _event(n: int, phase: EventPhase = EventPhase.UPDATE) -> Event:
    return replace(EVENT, id=f"ev-n{n}", phase=phase, attrs={"n": n})
