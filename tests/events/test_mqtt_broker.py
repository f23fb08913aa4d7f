"""The MQTT sink against a real broker (Debian mosquitto on a loopback port)."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from kuzet.config.events import MqttConfig
from kuzet.core.types import Event, EventKind, EventPhase
from kuzet.events.mqtt import MqttSink

MOSQUITTO = Path("/usr/sbin/mosquitto")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[int]:
    if not MOSQUITTO.exists():
        pytest.skip("mosquitto not installed (apt-get install mosquitto)")
    port = _free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    proc = subprocess.Popen([str(MOSQUITTO), "-c", str(conf)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield port
    proc.terminate()
    proc.wait(5)


def _subscriber(port: int, topic: str) -> tuple[mqtt.Client, queue.Queue[mqtt.MQTTMessage]]:
    got: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, msg: got.put(msg)
    client.connect("127.0.0.1", port)
    client.subscribe(topic, qos=1)
    client.loop_start()
    time.sleep(0.3)
    return client, got


def test_events_arrive_on_the_camera_topic(broker: int) -> None:
    subscriber, got = _subscriber(broker, "kuzet/+/events")
    sink = MqttSink(MqttConfig(host="127.0.0.1", port=broker))
    try:
        time.sleep(0.5)  # let the sink connect
        event = Event(
            id="e1", camera_id="gate_2", kind=EventKind.ZONE_PRESENCE, rule_id="r1",
            phase=EventPhase.OPEN, started_at=datetime(2026, 11, 21, tzinfo=UTC),
        )
        sink(event)
        msg = got.get(timeout=10)
    finally:
        sink.close()
        subscriber.loop_stop()
        subscriber.disconnect()
    assert msg.topic == "kuzet/gate_2/events"
    body = json.loads(msg.payload)
    assert body["id"] == "e1" and body["kind"] == "zone_presence" and body["phase"] == "open"
