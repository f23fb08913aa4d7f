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

import logging
import re
from collections.abc import Mapping
from typing import Any

import paho.mqtt.client as mqtt

from kuzet.config.events import MqttConfig
from kuzet.events.mqtt import MqttPublisher

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


class ResponseMqtt(MqttPublisher):
    """Publishes messages to the broker; availability is retained with a last will.

    Args:
        cfg: Broker settings (``integrations.mqtt``).
        sites: Camera id -> site.
        client: A paho client to use instead of a new one (tests).
    """

    def __init__(self, cfg: MqttConfig, sites: Mapping[str, str | None],
                 client: mqtt.Client | None = None) -> None:
        self.sites = dict(sites)
        self.available = f"{cfg.topic_prefix.rstrip('/')}/available"
        super().__init__(cfg, client, name="kuzet-response", will=(self.available, OFFLINE))

    def _on_connected(self) -> None:
        self._client.publish(self.available, ONLINE, qos=1, retain=True)

    def publish(self, message: Mapping[str, Any]) -> None:
        """Publish one message; failures are logged and counted, never raised."""
        self.publish_json(topic_of(self.cfg.topic_prefix, message, self.sites), message)

    def close(self) -> None:
        """Say ``offline`` (retained), disconnect and stop the network thread."""
        self._closing = True
        if self.connected.is_set():
            info = self._client.publish(self.available, OFFLINE, qos=1, retain=True)
            info.wait_for_publish(2.0)
        super().close()
