"""The precision flag is pushed to signed webhooks and MQTT, once per change (issue 15
gap 4): a real HTTP receiver on loopback and Debian's mosquitto on a loopback port."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from receivers import alert, receiver
from test_mqtt_topics import _next, broker, subscribe  # noqa: F401 - fixtures
from test_webhooks import hook, wait_state

from kuzet.config.events import MqttConfig
from kuzet.config.feedback import FeedbackConfig
from kuzet.config.integrations import IntegrationsConfig
from kuzet.config.response import ResponseConfig
from kuzet.integrations.service import Integrations
from kuzet.integrations.webhooks import DeliveryState
from kuzet.response.actor import Actor
from kuzet.response.flags import RuleFlags
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.states import Action, Verdict
from kuzet.store import Store

ANA = Actor("ana", "u-ana")
FEEDBACK = FeedbackConfig(precision_floor=0.5, min_verdicts=4)


def _verdicts(service: ResponseService, start: int, verdicts: list[Verdict]) -> None:
    """Alarms of rule ``fight``, acknowledged and resolved with ``verdicts``."""
    for n, verdict in enumerate(verdicts, start):
        service.open_alarm(alert(f"ev-{n}"))
        service.act(f"ev-{n}", ActionRequest(Action.ACKNOWLEDGE), ANA)
        service.act(f"ev-{n}", ActionRequest(Action.RESOLVE, verdict=verdict), ANA)


def _escalations(integrations: Integrations) -> list[dict[str, Any]]:
    rows = integrations.queue.page(None, None, 100)
    return [json.loads(r.body) for r in reversed(rows) if r.event == "escalation"]


@pytest.fixture
def flagged_service(store: Store) -> ResponseService:
    """A service whose rules are flagged under 0.5 precision after 4 verdicts."""
    service = ResponseService(store.engine, None, ResponseConfig(feedback=FEEDBACK),
                              lambda: datetime.now(UTC))
    service.updates.subscribe(RuleFlags(store.engine, service).on_update)
    return service


def test_flag_and_clear_are_pushed_once_each(store: Store, flagged_service: ResponseService,
                                            broker: int, subscribe: Any,  # noqa: F811
                                            tmp_path: Path) -> None:
    service = flagged_service
    got = subscribe("kuzet/escalations")
    with receiver() as http:
        cfg = IntegrationsConfig(webhooks=[hook(http.url, topics=["escalation"])], poll=0.05,
                                 mqtt=MqttConfig(host="127.0.0.1", port=broker))
        integrations = Integrations.build(store.engine, cfg, {"gate": None},
                                          lambda: datetime.now(UTC))
        integrations.attach(service.updates.subscribe, service.outbox.subscribe)
        integrations.start()
        try:
            assert integrations.mqtt is not None and integrations.mqtt.connected.wait(10)
            _verdicts(service, 0, [Verdict.FALSE_ALARM] * 3 + [Verdict.CONFIRMED])
            low = json.loads(_next(got, "kuzet/escalations")[0])
            _verdicts(service, 4, [Verdict.FALSE_ALARM] * 2)  # still under: no new push
            _verdicts(service, 6, [Verdict.CONFIRMED] * 4)  # 5 of 10: back at the floor
            ok = json.loads(_next(got, "kuzet/escalations")[0])
            delivered = wait_state(integrations, DeliveryState.DELIVERED, 2)
            posts = http.wait_for(2)
        finally:
            integrations.stop()
    for message, action, precision in [(low, "precision_low", 0.25), (ok, "precision_ok", 0.5)]:
        assert (message["type"], message["action"], message["cause"], message["audience"]) == (
            "escalation", action, "precision_floor", "admins")
        assert message["id"] == "fight" and message["data"]["precision"] == precision
    assert (low["data"]["flagged"], ok["data"]["flagged"]) == (True, False)
    assert len(delivered) == 2 and all(p.authentic for p in posts)
    assert [p.json["action"] for p in posts] == ["precision_low", "precision_ok"]
    assert [m["action"] for m in _escalations(integrations)] == ["precision_low", "precision_ok"]
    assert got.empty()  # nothing else on the escalations topic: once per change


def test_flag_delivery_commits_with_the_flag_row(store: Store,
                                                flagged_service: ResponseService) -> None:
    """No MQTT, no sender running: the delivery row is in the store with the flag row."""
    integrations = Integrations.build(
        store.engine, IntegrationsConfig(webhooks=[hook("http://127.0.0.1:9/")]), {},
        lambda: datetime.now(UTC))
    integrations.attach(flagged_service.updates.subscribe, flagged_service.outbox.subscribe)
    _verdicts(flagged_service, 0, [Verdict.FALSE_ALARM] * 4)
    flags = RuleFlags(store.engine, flagged_service)
    assert [f.rule_id for f in flags.current()] == ["fight"]
    assert flags.check(["fight"]) == []  # checking again changes nothing, pushes nothing
    pushed = _escalations(integrations)
    assert [(m["action"], m["data"]["precision"]) for m in pushed] == [("precision_low", 0.0)]
