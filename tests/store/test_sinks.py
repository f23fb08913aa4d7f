"""StoreSink on the bus, event_to_json, and MqttSink with a fake and an absent broker."""

from __future__ import annotations

import json
from typing import Any

from store_factories import make_event

from kuzet.config.events import MqttConfig
from kuzet.core.types import Event, EventPhase
from kuzet.events.bus import Bus
from kuzet.events.mqtt import MqttSink
from kuzet.events.sinks import StoreSink, event_to_json
from kuzet.store import Store


def test_store_sink_persists_bus_events(store: Store) -> None:
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    bus.publish(make_event())
    bus.publish(make_event(phase=EventPhase.CLOSE))
    got = store.events.get("ev-1")
    assert got is not None and got.status == "closed" and bus.failures == 0


def test_event_to_json_is_json_safe() -> None:
    data = event_to_json(make_event(phase=EventPhase.UPDATE))
    assert json.loads(json.dumps(data)) == data
    assert data["kind"] == "zone_presence" and data["phase"] == "update"
    assert data["status"] == "open" and data["started_at"].endswith("+00:00")


class FakeClient:
    """Records what paho would publish."""

    def __init__(self) -> None:
        self.published: list[tuple[str, str, int]] = []

    def reconnect_delay_set(self, **_: Any) -> None: ...
    def max_queued_messages_set(self, _n: int) -> None: ...
    def connect_async(self, *_: Any, **__: Any) -> None: ...
    def loop_start(self) -> None: ...
    def loop_stop(self) -> None: ...
    def disconnect(self) -> None: ...

    def publish(self, topic: str, payload: str, qos: int) -> Any:
        self.published.append((topic, payload, qos))
        return type("Info", (), {"rc": 0})()


def test_mqtt_topic_and_payload() -> None:
    client = FakeClient()
    sink = MqttSink(MqttConfig(host="broker", topic_prefix="city"), client=client)
    sink(make_event())
    topic, payload, qos = client.published[0]
    assert topic == "city/gate/events" and qos == 1
    assert json.loads(payload)["id"] == "ev-1"


def test_mqtt_without_broker_never_raises() -> None:
    sink = MqttSink(MqttConfig(host="127.0.0.1", port=1))
    bus: Bus[Event] = Bus()
    bus.subscribe(sink)
    bus.publish(make_event())
    sink.close()
    assert bus.failures == 0
