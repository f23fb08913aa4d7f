"""``bus.kind: nats``: the served system's events and counts go through JetStream.

A real nats-server runs on loopback. The system publishes through its outbox to
JetStream; its durable consumers write the store and open the alarm; a second
node (an API node) sees the event live on the same subject space.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bus_samples import COUNT_BATCH, EVENT, wait_for
from kuzet.config.bus import BusConfig
from kuzet.config.root import KuzetConfig
from kuzet.core.types import Event
from kuzet.events.transport import EVENTS
from kuzet.response.alarms import AlarmQuery
from kuzet.runtime.system import EmbeddedSystem
from kuzet.scale.natsbus import NatsBus
from kuzet.store import CountQuery, EventQuery


def test_serve_on_nats_writes_events_counts_and_alarms(nats_server: Any, tmp_path: Path) -> None:
    config = KuzetConfig.model_validate({
        "cameras": {"gate": {"source": {"url": "a.mp4"}, "site": "north"}},
        "bus": {"kind": "nats", "url": nats_server.url},
    })  # fmt: skip
    api_node = NatsBus(BusConfig(kind="nats", url=nats_server.url))
    live: list[Event] = []
    api_node.subscribe(EVENTS, live.append)
    system = EmbeddedSystem(config, tmp_path)
    try:
        assert system.nats is not None
        system.writes.start()
        system.bus.publish(EVENT)
        system.counts.publish(COUNT_BATCH)
        wait_for(lambda: system.store.events.get(EVENT.id) is not None, timeout=15)
        wait_for(lambda: bool(system.response.alarms.page(AlarmQuery()).items))
        wait_for(lambda: bool(system.store.counts.series(CountQuery("gate"))))
        wait_for(lambda: live == [EVENT])
        time.sleep(0.3)
        assert system.store.events.count(EventQuery()) == 1
        totals = {(s.label, s.direction): s.total
                  for s in system.store.counts.series(CountQuery("gate"))}
        assert totals == {("car", "in"): 3, ("bus", "out"): 1}
        assert system.writes.outbox.state().dead == 0
    finally:
        system.stop()
        api_node.close()
