"""Alarm, incident and escalation topics against a real broker (Debian mosquitto on a
loopback port, installed by scripts/install-system.sh)."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from receivers import FakeClock, alert, free_port

from kuzet.config.events import MqttConfig
from kuzet.config.response import Priority
from kuzet.integrations.mqtt import ResponseMqtt
from kuzet.integrations.notifier import Notifier
from kuzet.response.actor import Actor
from kuzet.response.escalation import escalate_due
from kuzet.response.incidents import NewIncident
from kuzet.response.service import ResponseService

MOSQUITTO = Path("/usr/sbin/mosquitto")
Messages = queue.Queue[tuple[str, bytes, bool]]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[int]:
    if not MOSQUITTO.exists():
        pytest.skip("mosquitto not installed (scripts/install-system.sh installs it)")
    port = free_port()
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


@pytest.fixture
def subscribe(broker: int) -> Iterator[object]:
    clients: list[mqtt.Client] = []

    def start(topic: str) -> Messages:
        got: Messages = queue.Queue()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        client.on_message = lambda _c, _u, m: got.put((m.topic, m.payload, bool(m.retain)))
        client.connect("127.0.0.1", broker)
        client.subscribe(topic, qos=1)
        client.loop_start()
        clients.append(client)
        time.sleep(0.3)
        return got

    yield start
    for client in clients:
        client.loop_stop()
        client.disconnect()


def _next(got: Messages, topic: str, timeout: float = 10.0) -> tuple[bytes, bool]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found, payload, retained = got.get(timeout=0.2)
        except queue.Empty:
            continue
        if found == topic:
            return payload, retained
    raise AssertionError(f"nothing on {topic}")


def test_topics_and_availability(broker: int, subscribe: object, service: ResponseService,
                                 clock: FakeClock) -> None:
    got = subscribe("kuzet/#")  # type: ignore[operator]
    publisher = ResponseMqtt(MqttConfig(host="127.0.0.1", port=broker), {"gate": "Market North"})
    try:
        assert publisher.connected.wait(10)
        assert _next(got, "kuzet/available") == (b"online", False)
        service.updates.subscribe(Notifier([], clock, [publisher]))
        service.open_alarm(alert())
        alarm = json.loads(_next(got, "kuzet/Market_North/gate/alarms")[0])
        assert (alarm["type"], alarm["action"], alarm["data"]["priority"]) == (
            "alarm", "open", "high")
        service.desk.create(NewIncident("fight", Priority.HIGH), Actor.system(), ["ev-1"])
        created = json.loads(_next(got, "kuzet/incidents")[0])
        linked = json.loads(_next(got, "kuzet/incidents")[0])
        assert (created["type"], created["action"], linked["action"]) == (
            "incident", "create", "link")
        assert linked["cameras"] == ["gate"] and linked["data"]["type"] == "fight"
        clock.advance(181)
        escalate_due(service)
        escalation = json.loads(_next(got, "kuzet/escalations")[0])
        assert (escalation["limit"], escalation["id"]) == ("acknowledge", "ev-1")
    finally:
        publisher.close()
    late = subscribe("kuzet/available")  # type: ignore[operator]
    assert _next(late, "kuzet/available") == (b"offline", True)  # retained for newcomers
