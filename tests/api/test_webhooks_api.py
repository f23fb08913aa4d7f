"""The webhook admin API: endpoints, the dead-letter list, retry from it (audited), access."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_factories import bearer, make_event, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.integrations import IntegrationsConfig, WebhookConfig
from kuzet.integrations.service import Integrations
from kuzet.privacy.audit import AuditQuery
from kuzet.response.sink import AlarmSink

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integrations"))
from receivers import SECRET, Receiver, receiver  # noqa: E402


@pytest.fixture
def hooked(deps: AppDeps) -> Iterator[tuple[Receiver, Any]]:
    """A receiver answering 503 twice, an endpoint giving up after 2 attempts, users."""
    with receiver(script=[503, 503]) as got:
        hook = WebhookConfig(name="cad", url=got.url, secret=SECRET, backoff=0.05,
                             max_attempts=2)
        cfg = IntegrationsConfig(webhooks=[hook], poll=0.05)
        deps.integrations = Integrations.build(deps.store.engine, cfg, {},
                                               lambda: datetime.now(UTC))
        deps.integrations.attach(deps.response.updates.subscribe,
                                 deps.response.outbox.subscribe)
        deps.bus.subscribe(AlarmSink(deps.response))
        make_user(deps, "ana", "operator")
        make_user(deps, "amy", "admin", cameras=["gate"])
        tokens = {name: bearer(deps, name) for name in ("admin", "ana", "amy")}
        deps.integrations.start()
        try:
            with TestClient(create_app(deps)) as client:
                def call(user: str, method: str, path: str) -> httpx.Response:
                    return client.request(method, path, headers=tokens[user])

                yield got, call
        finally:
            deps.integrations.stop()


def _dead(api: Any, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        items = api("admin", "GET", "/api/webhooks/deliveries?state=dead").json()["items"]
        if len(items) >= count:
            return items
        time.sleep(0.05)
    raise AssertionError(f"{len(items)} dead letters, wanted {count}")


def test_dead_letters_and_retry(deps: AppDeps, hooked: tuple[Receiver, Any]) -> None:
    got, api = hooked
    deps.bus.publish(make_event(id="ev-w"))
    dead = _dead(api, 1)[0]
    assert (dead["endpoint"], dead["event"], dead["attempts"], dead["last_status"]) == (
        "cad", "alarm", 2, 503)
    endpoints = api("admin", "GET", "/api/webhooks").json()
    assert endpoints == [{"name": "cad", "url": got.url, "topics": [], "max_attempts": 2,
                          "counts": {"dead": 1}}]  # never the secret
    assert SECRET not in api("admin", "GET", "/api/webhooks").text
    retried = api("admin", "POST", f"/api/webhooks/deliveries/{dead['id']}/retry")
    assert retried.status_code == 200 and retried.json()["state"] == "pending"
    third = got.wait_for(3)[2]
    assert third.status == 200 and third.authentic and third.delivery == dead["id"]
    deadline = time.monotonic() + 10
    while api("admin", "GET", f"/api/webhooks/deliveries/{dead['id']}").json()["state"] != \
            "delivered":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    again = api("admin", "POST", f"/api/webhooks/deliveries/{dead['id']}/retry")
    assert again.status_code == 409 and "delivered" in again.json()["detail"]
    record = deps.audit.list(AuditQuery(action="webhook.retry")).items[0]
    assert record.actor == "admin" and record.target == dead["id"]


@pytest.mark.parametrize(("user", "path", "status"), [
    ("ana", "/api/webhooks", 403),                       # operators: no
    ("amy", "/api/webhooks", 403),                       # a camera-scoped admin: no
    ("ana", "/api/webhooks/deliveries?state=dead", 403),
    ("admin", "/api/webhooks/deliveries/nope", 404),
    ("admin", "/api/webhooks/deliveries?cursor=%%%", 400),
    ("admin", "/api/webhooks/deliveries?state=lost", 422),
])  # fmt: skip
def test_access(hooked: tuple[Receiver, Any], user: str, path: str, status: int) -> None:
    _, api = hooked
    assert api(user, "GET", path).status_code == status


def test_pages(deps: AppDeps, hooked: tuple[Receiver, Any]) -> None:
    got, api = hooked
    for i in range(3):
        deps.bus.publish(make_event(id=f"ev-{i}"))
    got.wait_for(5)  # two 503s, then three deliveries answered 200
    seen: list[str] = []
    url = "/api/webhooks/deliveries?limit=1"
    while url:
        page = api("admin", "GET", url).json()
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        url = cursor and f"/api/webhooks/deliveries?limit=1&cursor={cursor}"
    assert len(seen) == len(set(seen)) == 3
