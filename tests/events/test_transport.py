"""The message-bus contract: the same cases on the embedded bus and on NATS JetStream.

Every test takes ``message_bus`` or ``bus_factory`` (tests/conftest.py), so it runs
twice: on the in-process :class:`EmbeddedBus` and on :class:`NatsBus` against a real
nats-server started on loopback for the test.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from bus_samples import EVENT, SAMPLES, T0, wait_for
from kuzet.core.types import Event, EventKind, EventPhase
from kuzet.events.transport import EVENTS, TOPICS, Topic


@pytest.mark.parametrize(("topic", "item"), SAMPLES, ids=[t.kind for t, _ in SAMPLES])
def test_subscriber_gets_the_same_typed_message(message_bus: Any, topic: Topic[Any],
                                                item: Any) -> None:
    got: list[Any] = []
    message_bus.subscribe(topic, got.append)
    message_bus.publish(topic, item)
    wait_for(lambda: len(got) == 1)
    assert got == [item]
    assert type(got[0]) is type(item)


def test_topics_do_not_cross(message_bus: Any) -> None:
    seen: dict[str, list[Any]] = {t.kind: [] for t in TOPICS}
    for topic in TOPICS:
        message_bus.subscribe(topic, seen[topic.kind].append)
    for topic, item in SAMPLES:
        message_bus.publish(topic, item)
    wait_for(lambda: all(len(v) == 1 for v in seen.values()))
    time.sleep(0.2)
    assert {k: v for k, v in seen.items()} == {t.kind: [i] for t, i in SAMPLES}


def test_order_is_kept_and_unsubscribe_stops_delivery(message_bus: Any) -> None:
    got: list[str] = []
    stop = message_bus.subscribe(EVENTS, lambda e: got.append(e.attrs["n"]))
    for n in range(20):
        message_bus.publish(EVENTS, _event("ev-2", n))
    wait_for(lambda: len(got) == 20)
    stop()
    message_bus.publish(EVENTS, _event("ev-2", 99))
    time.sleep(0.3)
    assert got == list(range(20))


def test_a_failing_subscriber_does_not_stop_the_others(message_bus: Any) -> None:
    got: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError("sink down")

    message_bus.subscribe(EVENTS, broken)
    message_bus.subscribe(EVENTS, got.append)
    message_bus.publish(EVENTS, EVENT)
    wait_for(lambda: len(got) == 1)
    wait_for(lambda: message_bus.failures == 1)


def test_consumer_gets_each_message_with_a_key(message_bus: Any) -> None:
    got: list[tuple[int, str]] = []
    message_bus.consume(EVENTS, "writer", lambda e, key: got.append((e.attrs["n"], key)))
    for n in range(10):
        message_bus.publish(EVENTS, _event("ev-3", n))
    wait_for(lambda: len(got) == 10)
    assert [n for n, _ in got] == list(range(10))
    assert len({key for _, key in got}) == 10


def test_two_durable_names_each_get_every_message(message_bus: Any) -> None:
    a: list[Event] = []
    b: list[Event] = []
    message_bus.consume(EVENTS, "store", lambda e, key: a.append(e))
    message_bus.consume(EVENTS, "alarms", lambda e, key: b.append(e))
    message_bus.publish(EVENTS, EVENT)
    wait_for(lambda: len(a) == 1 and len(b) == 1)
    assert a == b == [EVENT]


def _event(event_id: str, n: int) -> Event:
    return Event(id=event_id, camera_id="gate", kind=EventKind.LOITERING, rule_id="r",
                 phase=EventPhase.UPDATE, started_at=T0, attrs={"n": n})
