"""MQTT sink: publishes each event update as JSON to ``<prefix>/<camera>/events``.

The paho-mqtt network loop runs in its own thread and reconnects by itself;
a broker that is down is logged, never raised into the bus.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kuzet.config.events import MqttConfig
from kuzet.core.types import Event
from kuzet.events.sinks import event_to_json

log = logging.getLogger(__name__)


def event_topic(prefix: str, camera_id: str) -> str:
    """Topic of a camera's events, e.g. ``kuzet/gate/events``."""
    return f"{prefix.rstrip('/')}/{camera_id}/events"


class MqttPublisher:
    """A paho client that connects in the background and publishes JSON at QoS 1.

    The one connection logic of every MQTT publisher (events here, alarm changes in
    ``kuzet.integrations.mqtt``): reconnects with backoff, queues at most 1,000
    messages while the broker is away, counts and logs failures, never raises them.

    Args:
        cfg: Broker settings.
        client: A paho client to use instead of a new one (tests).
        name: Client id prefix, e.g. ``kuzet`` -> ``kuzet-1a2b3c4d``.
        will: ``(topic, payload)`` the broker publishes, retained, if we vanish.
    """

    def __init__(self, cfg: MqttConfig, client: Any | None = None, name: str = "kuzet",
                 will: tuple[str, str] | None = None) -> None:
        self.cfg = cfg
        self.failures = 0
        self.connected = threading.Event()
        self._closing = False
        self._client = client if client is not None else self._new_client(cfg, name)
        if will is not None:
            self._client.will_set(will[0], will[1], qos=1, retain=True)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_connect_fail = self._on_connect_fail
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client.max_queued_messages_set(1000)  # bounded while the broker is away
        try:
            self._client.connect_async(cfg.host, cfg.port, keepalive=30)
            self._client.loop_start()
        except (OSError, ValueError) as error:
            log.warning("MQTT %s:%s not reachable: %s", cfg.host, cfg.port, error)

    @staticmethod
    def _new_client(cfg: MqttConfig, name: str) -> mqtt.Client:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"{name}-{uuid.uuid4().hex[:8]}"
        )
        if cfg.username is not None:
            client.username_pw_set(cfg.username, cfg.password)
        if cfg.tls:
            client.tls_set()
        return client

    def _on_connect(self, _c: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("MQTT connect to %s refused: %s", self.cfg.host, reason)
            return
        self._on_connected()
        self.connected.set()
        log.info("MQTT connected to %s:%s", self.cfg.host, self.cfg.port)

    def _on_connected(self) -> None:
        """Called on every (re)connection before ``connected`` is set."""

    def _on_disconnect(self, _c: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        self.connected.clear()
        if self._closing:
            return
        log.warning("MQTT disconnected from %s: %s (reconnecting)", self.cfg.host, reason)

    def _on_connect_fail(self, _c: Any, _u: Any) -> None:
        log.warning("MQTT connect to %s:%s failed (retrying)", self.cfg.host, self.cfg.port)

    def publish_json(self, topic: str, payload: Any) -> None:
        """Publish one JSON payload; failures are logged and counted, not raised."""
        body = json.dumps(payload, separators=(",", ":"))
        try:
            info = self._client.publish(topic, body, qos=1)
        except (OSError, ValueError, RuntimeError) as error:
            self.failures += 1
            log.warning("MQTT publish to %s failed: %s", topic, error)
            return
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            self.failures += 1
            log.warning("MQTT publish to %s failed: %s", topic, mqtt.error_string(info.rc))

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        self._closing = True
        self._client.disconnect()
        self._client.loop_stop()


class MqttSink(MqttPublisher):
    """Bus subscriber that publishes events to an MQTT broker (QoS 1).

    Args:
        cfg: Broker settings.
        client: A paho client to use instead of a new one (tests).

    Example:
        >>> sink = MqttSink(MqttConfig(host="broker"))  # doctest: +SKIP
        >>> unsubscribe = bus.subscribe(sink)  # doctest: +SKIP
    """

    def __init__(self, cfg: MqttConfig, client: Any | None = None) -> None:
        super().__init__(cfg, client)

    def __call__(self, event: Event) -> None:
        """Publish one event update; failures are logged and counted, not raised."""
        self.publish_json(event_topic(self.cfg.topic_prefix, event.camera_id),
                          event_to_json(event))
