"""Integrations in one object: the webhook queue and sender, MQTT, and the notifier."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection, Engine

from kuzet.config.integrations import IntegrationsConfig, WebhookConfig
from kuzet.integrations.delivery import WebhookSender
from kuzet.integrations.messages import Change
from kuzet.integrations.mqtt import ResponseMqtt
from kuzet.integrations.notifier import Notifier, Publisher
from kuzet.integrations.webhooks import WebhookQueue

Subscribe = Callable[[Callable[[Change], None]], Callable[[], None]]
StageSubscribe = Callable[[Callable[[Connection, Change], None]], Callable[[], None]]


@dataclass
class Integrations:
    """What the composition root starts and stops, and what the admin API reads.

    Build with :meth:`build`; :meth:`attach` subscribes the notifier to the
    response service (``attach(service.updates.subscribe, service.outbox.subscribe)``).
    """

    queue: WebhookQueue
    hooks: list[WebhookConfig]
    sender: WebhookSender
    notifier: Notifier
    mqtt: ResponseMqtt | None = None
    _detach: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def build(cls, engine: Engine, cfg: IntegrationsConfig, sites: Mapping[str, str | None],
              clock: Callable[[], datetime]) -> Integrations:
        """Queue and sender on ``engine``; MQTT when configured (it connects in the background)."""
        queue = WebhookQueue(engine)
        keep = timedelta(days=cfg.keep_delivered_days)
        sender = WebhookSender(queue, cfg.webhooks, clock, cfg.poll, keep)
        mqtt = ResponseMqtt(cfg.mqtt, sites) if cfg.mqtt is not None else None
        publishers: list[Publisher] = [mqtt] if mqtt is not None else []
        notifier = Notifier(cfg.webhooks, clock, publishers, sender.wake)
        return cls(queue, list(cfg.webhooks), sender, notifier, mqtt)

    def attach(self, subscribe: Subscribe, stage: StageSubscribe) -> None:
        """Push every change.

        Args:
            subscribe: After-commit changes, e.g. ``ResponseService.updates.subscribe``
                (MQTT, waking the sender).
            stage: In-transaction writers, e.g. ``ResponseService.outbox.subscribe``
                (the webhook delivery rows, committed with the change).
        """
        self._detach.append(stage(self.notifier.stage))
        self._detach.append(subscribe(self.notifier))

    def start(self) -> None:
        """Start delivering (what a previous run queued goes first, as it is oldest)."""
        self.sender.start()

    def stop(self) -> None:
        """Stop delivering and publishing; queued deliveries wait in the store."""
        for detach in self._detach:
            detach()
        self.sender.stop()
        if self.mqtt is not None:
            self.mqtt.close()
