"""Signed webhooks against a real HTTP receiver on loopback: retries with backoff, the
dead-letter list, manual retry, deliveries that survive a restart, escalations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from receivers import SECRET, FakeClock, alert, free_port, receiver

from kuzet.config.integrations import IntegrationsConfig, WebhookConfig
from kuzet.integrations.service import Integrations
from kuzet.integrations.webhooks import DeliveryState, WebhookDeliveryRow
from kuzet.response.actor import Actor
from kuzet.response.escalation import escalate_due
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.states import Action
from kuzet.store import Store, open_store

ANA = Actor("ana", "u-ana")


def hook(url: str, **overrides: Any) -> WebhookConfig:
    """An endpoint with fast retries (tests wait seconds, not minutes)."""
    values: dict[str, Any] = {"name": "cad", "url": url, "secret": SECRET, "backoff": 0.1,
                              "backoff_max": 1.0, "max_attempts": 5}
    return WebhookConfig(**(values | overrides))


@contextmanager
def running(store: Store, *hooks: WebhookConfig,
            service: ResponseService | None = None) -> Iterator[Integrations]:
    """Integrations on ``store`` (real clock), attached to ``service``, started."""
    integrations = Integrations.build(store.engine, IntegrationsConfig(webhooks=list(hooks),
                                                                       poll=0.05),
                                      {}, lambda: datetime.now(UTC))
    if service is not None:
        integrations.attach(service.updates.subscribe, service.outbox.subscribe)
    integrations.start()
    try:
        yield integrations
    finally:
        integrations.stop()


def wait_state(integrations: Integrations, state: DeliveryState, count: int,
               timeout: float = 20.0) -> list[WebhookDeliveryRow]:
    deadline = time.monotonic() + timeout
    rows: list[WebhookDeliveryRow] = []
    while time.monotonic() < deadline:
        rows = integrations.queue.page(state, None, 100)
        if len(rows) >= count:
            return rows
        time.sleep(0.05)
    raise AssertionError(f"{len(rows)} deliveries {state}, wanted {count}")


def test_retried_with_backoff_until_delivered(store: Store, service: ResponseService) -> None:
    with receiver(script=[500, 500]) as got, running(store, hook(got.url), service=service) as it:
        service.open_alarm(alert())
        attempts = got.wait_for(3)
        delivered = wait_state(it, DeliveryState.DELIVERED, 1)
    assert [a.status for a in attempts] == [500, 500, 200]
    assert all(a.authentic for a in attempts)  # HMAC over timestamp.body, fresh timestamp
    assert len({a.delivery for a in attempts}) == 1  # one delivery, retried
    assert attempts[0].body == attempts[2].body
    gaps = [b.at - a.at for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # backoff doubles
    message = attempts[0].json
    assert (message["type"], message["action"], message["id"]) == ("alarm", "open", "ev-1")
    assert message["data"]["state"] == "new" and message["cameras"] == ["gate"]
    assert (delivered[0].attempts, delivered[0].last_status) == (3, 200)


def test_wrong_secret_is_refused_by_the_receiver(store: Store, service: ResponseService) -> None:
    with receiver(secret="the-receivers-other-secret") as got, \
            running(store, hook(got.url), service=service):
        service.open_alarm(alert())
        assert not got.wait_for(1)[0].authentic


def test_dead_endpoint_ends_in_dead_letters(store: Store, service: ResponseService) -> None:
    dead = hook(f"http://127.0.0.1:{free_port()}/hook", max_attempts=3, backoff=0.05)
    with running(store, dead, service=service) as it:
        service.open_alarm(alert())
        rows = wait_state(it, DeliveryState.DEAD, 1)
    assert rows[0].attempts == 3 and rows[0].last_status is None
    assert "Connection refused" in (rows[0].last_error or "")
    assert it.queue.counts() == {"cad": {"dead": 1}}


def test_topics_choose_what_an_endpoint_gets(store: Store, service: ResponseService,
                                             clock: FakeClock) -> None:
    with receiver() as got, running(store, hook(got.url, topics=["escalation"]),
                                    service=service):
        service.open_alarm(alert())  # high priority: 180 s to acknowledge
        service.act("ev-1", ActionRequest(Action.COMMENT, reason="looking"), ANA)
        clock.advance(181)
        assert escalate_due(service).skipped == ["ev-1"]
        message = got.wait_for(1)[0].json
        time.sleep(0.3)
        assert len(got.got) == 1  # the alarm's own changes went elsewhere
    assert (message["type"], message["action"], message["limit"], message["cause"]) == (
        "escalation", "skip", "acknowledge", "acknowledge_limit")
    assert message["audience"] == "supervisors" and message["data"]["queue"] == "supervisors"


def test_deliveries_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "restart"
    with receiver() as got:
        store = open_store(None, data)
        it = Integrations.build(store.engine, IntegrationsConfig(webhooks=[hook(got.url)]), {},
                                lambda: datetime.now(UTC))
        service = ResponseService(store.engine)
        it.attach(service.updates.subscribe, service.outbox.subscribe)  # never started
        service.open_alarm(alert("ev-9"))
        assert it.queue.counts() == {"cad": {"pending": 1}}
        store.close()
        reopened = open_store(None, data)
        try:
            with running(reopened, hook(got.url)) as again:
                first = got.wait_for(1)[0]
                wait_state(again, DeliveryState.DELIVERED, 1)
        finally:
            reopened.close()
    assert first.authentic and first.json["id"] == "ev-9"


def test_backoff_is_capped(store: Store) -> None:
    from kuzet.integrations.webhooks import retry_delay

    capped = hook("http://127.0.0.1:1/", backoff=2, backoff_max=10)
    assert [retry_delay(n, capped) for n in range(1, 6)] == [2, 4, 8, 10, 10]




def test_delivered_rows_are_pruned_dead_ones_kept(store: Store) -> None:
    from datetime import timedelta

    from kuzet.integrations.webhooks import Attempt, WebhookQueue

    queue = WebhookQueue(store.engine)
    now = datetime.now(UTC)
    cad = hook("http://127.0.0.1:1/", max_attempts=1)
    old, dead, fresh = queue.enqueue(["cad"] * 3, "alarm", "{}", now - timedelta(days=9))
    queue.record(queue.get(old), Attempt(200), now - timedelta(days=8), cad)
    queue.record(queue.get(dead), Attempt(500), now - timedelta(days=8), cad)
    queue.record(queue.get(fresh), Attempt(204), now - timedelta(days=1), cad)
    assert queue.prune("other", now - timedelta(days=7)) == 0
    assert queue.prune("cad", now - timedelta(days=7)) == 1
    assert queue.counts() == {"cad": {"dead": 1, "delivered": 1}}
