"""MQTT topics of alarm, incident and escalation changes (Frigate-style layout).

========================================  ==========================================
``<prefix>/available``                    ``online`` / ``offline``, retained (last will)
``<prefix>/<site>/<camera>/alarms``       every alarm change (JSON message)
``<prefix>/incidents``                    every incident change
``<prefix>/escalations``                  time limits breached (for supervisors)
========================================  ==========================================

``<site>`` is the camera's site with ``/``, ``+``, ``#`` and spaces replaced by
``_``, or ``_`` for a camera without a site. Messages use QoS 1 and are not
retained. The paho network loop runs in its own thread and reconnects by itself.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Mapping
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kuzet.config.events import MqttConfig

log = logging.getLogger(__name__)
ONLINE, OFFLINE = "online", "offline"
_UNSAFE = re.compile(r"[/+#\s\x00]+")


def level(text: str | None) -> str:
    """One safe topic level (``_`` for none).

    Example:
        >>> level("Market / North"), level(None)
        ('Market_North', '_')
    """
    return _UNSAFE.sub("_", text).strip("_") or "_" if text else "_"


def topic_of(prefix: str, message: Mapping[str, Any], sites: Mapping[str, str | None]) -> str:
    """The topic of one message (see the module table)."""
    root = prefix.rstrip("/")
    if message["type"] == "alarm":
        camera = str(message["data"].get("camera_id", ""))
        return f"{root}/{level(sites.get(camera))}/{level(camera)}/alarms"
    return f"{root}/{message['type']}s"


class ResponseMqtt:
    """Publishes messages to the broker; availability is retained with a last will.

    Args:
        cfg: Broker settings (``integrations.mqtt``).
        sites: Camera id -> site.
        client: A paho client to use instead of a new one (tests).
    """

    def __init__(self, cfg: MqttConfig, sites: Mapping[str, str | None],
                 client: mqtt.Client | None = None) -> None:
        self.cfg = cfg
        self.sites = dict(sites)
        self.failures = 0
        self.connected = threading.Event()
        self._closing = False
        self.available = f"{cfg.topic_prefix.rstrip('/')}/available"
        self._client = client or mqtt.Client(CallbackAPIVersion.VERSION2,
                                             client_id=f"kuzet-response-{uuid.uuid4().hex[:8]}")
        if cfg.username is not None:
            self._client.username_pw_set(cfg.username, cfg.password)
        if cfg.tls:
            self._client.tls_set()
        self._client.will_set(self.available, OFFLINE, qos=1, retain=True)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client.max_queued_messages_set(1000)
        try:
            self._client.connect_async(cfg.host, cfg.port, keepalive=30)
            self._client.loop_start()
        except (OSError, ValueError) as error:
            log.warning("MQTT %s:%s not reachable: %s", cfg.host, cfg.port, error)

    def _on_connect(self, _c: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("MQTT connect to %s refused: %s", self.cfg.host, reason)
            return
        self._client.publish(self.available, ONLINE, qos=1, retain=True)
        self.connected.set()

    def _on_disconnect(self, _c: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        self.connected.clear()
        if self._closing:
            return
        log.warning("MQTT disconnected from %s: %s (reconnecting)", self.cfg.host, reason)

    def publish(self, message: Mapping[str, Any]) -> None:
        """Publish one message; failures are logged and counted, never raised."""
        topic = topic_of(self.cfg.topic_prefix, message, self.sites)
        payload = json.dumps(message, separators=(",", ":"))
        try:
            info = self._client.publish(topic, payload, qos=1)
        except (OSError, ValueError, RuntimeError) as error:
            self.failures += 1
            log.warning("MQTT publish to %s failed: %s", topic, error)
            return
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            self.failures += 1
            log.warning("MQTT publish to %s failed: %s", topic, mqtt.error_string(info.rc))

    def close(self) -> None:
        """Say ``offline`` (retained), disconnect and stop the network thread."""
        self._closing = True
        if self.connected.is_set():
            info = self._client.publish(self.available, OFFLINE, qos=1, retain=True)
            info.wait_for_publish(2.0)
        self._client.disconnect()
        self._client.loop_stop()
