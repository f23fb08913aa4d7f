"""The two halves that push each alarm/incident/rule change to webhooks and MQTT.

- :meth:`Notifier.stage` runs *inside* the change's transaction
  (``ResponseService.outbox``) and writes its webhook delivery rows there: the
  change and its deliveries commit together, so a crash after the commit
  cannot lose a delivery (a transactional outbox; the sender threads read the
  table).
- :meth:`Notifier.__call__` runs after the commit (``ResponseService.updates``):
  it publishes to MQTT (best effort, like the live stream) and wakes the sender.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.engine import Connection

from kuzet.config.integrations import WebhookConfig
from kuzet.integrations.messages import Change, messages
from kuzet.integrations.webhooks import WebhookQueue


class Publisher(Protocol):
    """Where messages go besides webhooks (``ResponseMqtt`` has it)."""

    def publish(self, message: dict[str, object]) -> None:
        """Publish one message."""


@dataclass
class Notifier:
    """Subscribe :meth:`stage` to ``ResponseService.outbox`` and the notifier itself to
    ``ResponseService.updates`` (:meth:`Integrations.attach` does both).

    Each change becomes its messages (:func:`~kuzet.integrations.messages.messages`);
    each message is queued, in the change's own transaction, for every webhook
    endpoint whose ``topics`` take its type; after the commit it is published to
    the ``publishers`` and ``wake`` tells the sender to look.

    Example:
        >>> notifier = Notifier(hooks, utc_now, [mqtt], sender.wake)  # doctest: +SKIP
        >>> unstage = service.outbox.subscribe(notifier.stage)  # doctest: +SKIP
        >>> unsubscribe = service.updates.subscribe(notifier)  # doctest: +SKIP
    """

    hooks: Sequence[WebhookConfig]
    clock: Callable[[], datetime]
    publishers: Sequence[Publisher] = field(default_factory=list)
    wake: Callable[[], None] | None = None

    def _endpoints(self, message: dict[str, object]) -> list[str]:
        return [hook.name for hook in self.hooks if hook.wants(str(message["type"]))]

    def stage(self, conn: Connection, update: Change) -> None:
        """Queue the change's webhook deliveries on ``conn`` (inside its transaction)."""
        for message in messages(update):
            names = self._endpoints(message)
            if names:
                body = json.dumps(message, separators=(",", ":"), sort_keys=True)
                WebhookQueue.enqueue_in(conn, names, str(message["type"]), body, self.clock())

    def __call__(self, update: Change) -> None:
        """After the commit: publish the change's messages and wake the sender."""
        queued = False
        for message in messages(update):
            for publisher in self.publishers:
                publisher.publish(message)
            queued = queued or bool(self._endpoints(message))
        if queued and self.wake is not None:
            self.wake()
