"""A crash right after a change commits loses no webhook delivery (issue 15 gap 5).

A child process opens an alarm (or acts on one, or opens an incident) and dies with
``os._exit`` the moment the change is committed, before anything that runs after
the commit (the first subscriber of ``ResponseService.updates`` kills it). The
delivery row was written in the change's own transaction, so the parent finds it
pending in the store. With the old order (queued by an after-commit subscriber)
the alarm is stored and its delivery never is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from kuzet.integrations.webhooks import WebhookDeliveryRow
from kuzet.store import open_store

CHILD = r"""
import os, sys
from datetime import UTC, datetime
from pathlib import Path
from kuzet.config.integrations import IntegrationsConfig, WebhookConfig
from kuzet.config.response import Priority
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.integrations.service import Integrations
from kuzet.response.actor import Actor
from kuzet.response.incidents import NewIncident
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.states import Action
from kuzet.store import open_store

store = open_store(None, Path(sys.argv[1]))
service = ResponseService(store.engine)
hook = WebhookConfig(name="cad", url="http://127.0.0.1:9/", secret="s" * 32)
it = Integrations.build(store.engine, IntegrationsConfig(webhooks=[hook]), {},
                        lambda: datetime.now(UTC))
event = Event(id="ev-1", camera_id="gate", kind=EventKind.FIGHT, rule_id="gate-fight",
              phase=EventPhase.OPEN, started_at=datetime.now(UTC), severity=Severity.ALERT)
step = sys.argv[2]
if step == "acknowledge":  # opened (and its delivery queued) before the crash
    it.attach(service.updates.subscribe, service.outbox.subscribe)
    service.open_alarm(event)
    it.stop()
service.updates.subscribe(lambda update: os._exit(17))  # dies right after the commit
it = Integrations.build(store.engine, IntegrationsConfig(webhooks=[hook]), {},
                        lambda: datetime.now(UTC))
it.attach(service.updates.subscribe, service.outbox.subscribe)
if step == "open":
    service.open_alarm(event)
elif step == "acknowledge":
    service.act("ev-1", ActionRequest(Action.ACKNOWLEDGE), Actor("ana", "u-ana"))
else:
    service.desk.create(NewIncident("phone_call", Priority.HIGH), Actor("sue", "u-sue"))
sys.exit(0)  # never reached: the process died after the commit
"""
# step -> (message types, actions) of the pending deliveries the store must hold
CASES = {
    "open": [("alarm", "open")],
    "acknowledge": [("alarm", "open"), ("alarm", "acknowledge")],
    "incident": [("incident", "create")],
}


@pytest.mark.parametrize("step", sorted(CASES))
def test_delivery_survives_a_crash_after_the_commit(tmp_path: Path, step: str) -> None:
    data = tmp_path / "data"
    open_store(None, data).close()  # migrated once, outside the child
    done = subprocess.run([sys.executable, "-c", CHILD, str(data), step], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 17, done.stderr[-2000:]
    store = open_store(None, data)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(WebhookDeliveryRow.__table__)
                                .order_by(WebhookDeliveryRow.created_at)).mappings().all()
            alarms = conn.execute(sa.text("SELECT COUNT(*) FROM alarms")).scalar()
    finally:
        store.close()
    assert alarms == (0 if step == "incident" else 1)  # the change itself was committed
    got = [(r["event"], json.loads(r["body"])["action"]) for r in rows]
    assert sorted(got) == sorted(CASES[step])
    assert {r["state"] for r in rows} == {"pending"} and {r["endpoint"] for r in rows} == {"cad"}
