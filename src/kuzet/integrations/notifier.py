"""The subscriber that pushes each alarm/incident change to MQTT and the webhook queue."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from kuzet.config.integrations import WebhookConfig
from kuzet.integrations.messages import Change, messages
from kuzet.integrations.webhooks import WebhookQueue


class Publisher(Protocol):
    """Where messages go besides webhooks (``ResponseMqtt`` has it)."""

    def publish(self, message: dict[str, object]) -> None:
        """Publish one message."""


@dataclass
class Notifier:
    """Subscribe it to ``ResponseService.updates``.

    Each change becomes its messages (:func:`~kuzet.integrations.messages.messages`);
    each message is published to the ``publishers`` and queued, in the store, for
    every webhook endpoint whose ``topics`` take its type; then ``wake`` tells the
    sender to look.

    Example:
        >>> notifier = Notifier(queue, hooks, utc_now, [mqtt], sender.wake)  # doctest: +SKIP
        >>> unsubscribe = service.updates.subscribe(notifier)  # doctest: +SKIP
    """

    queue: WebhookQueue | None
    hooks: Sequence[WebhookConfig]
    clock: Callable[[], datetime]
    publishers: Sequence[Publisher] = field(default_factory=list)
    wake: Callable[[], None] | None = None

    def __call__(self, update: Change) -> None:
        """Handle one change."""
        queued = False
        for message in messages(update):
            for publisher in self.publishers:
                publisher.publish(message)
            names = [hook.name for hook in self.hooks if hook.wants(str(message["type"]))]
            if names and self.queue is not None:
                body = json.dumps(message, separators=(",", ":"), sort_keys=True)
                self.queue.enqueue(names, str(message["type"]), body, self.clock())
                queued = True
        if queued and self.wake is not None:
            self.wake()
