"""Opening alarms: which events open one, their priority, the bus sink, the queue order."""

from __future__ import annotations

import pytest
from response_factories import ANA, REQUESTS, FakeClock, make_event

from kuzet.config.response import Priority, PriorityRule, ResponseConfig
from kuzet.core.types import EventKind, EventPhase, Severity
from kuzet.events.bus import Bus
from kuzet.response.alarms import AlarmQuery
from kuzet.response.priority import priority_for
from kuzet.response.service import ResponseService
from kuzet.response.sink import AlarmSink
from kuzet.response.states import Action
from kuzet.response.views import ResponseUpdate

K, SEV = EventKind, Severity
CONFIG = ResponseConfig(
    kinds={K.LOITERING: Priority.HIGH},
    rules=[PriorityRule(rule="vip-zone", camera="gate", priority=Priority.CRITICAL),
           PriorityRule(rule="hotlist:h1", priority=Priority.LOW)],
)
CASES = [
    # (kind, severity, rule, camera, expected)
    (K.ZONE_PRESENCE, SEV.ALERT, "r", "gate", Priority.MEDIUM),
    (K.FIGHT, SEV.ALERT, "r", "gate", Priority.HIGH),
    (K.FIGHT, SEV.CRITICAL, "r", "gate", Priority.CRITICAL),
    (K.LINE_CROSSING, SEV.ALERT, "r", "gate", Priority.LOW),
    (K.LOITERING, SEV.ALERT, "r", "gate", Priority.HIGH),
    (K.ZONE_PRESENCE, SEV.ALERT, "vip-zone", "gate", Priority.CRITICAL),
    (K.ZONE_PRESENCE, SEV.ALERT, "vip-zone", "hall", Priority.MEDIUM),
    (K.PLATE_HIT, SEV.CRITICAL, "hotlist:h1", "hall", Priority.LOW),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "severity", "rule", "camera", "expected"), CASES)
def test_priority(kind: EventKind, severity: Severity, rule: str, camera: str,
                  expected: Priority) -> None:
    event = make_event(kind=kind, severity=severity, rule_id=rule, camera_id=camera)
    assert priority_for(event, CONFIG) is expected


def test_sink_opens_once_per_alert_event(service: ResponseService) -> None:
    bus = Bus[object]()
    bus.subscribe(AlarmSink(service))  # type: ignore[arg-type]
    updates: list[ResponseUpdate] = []
    service.updates.subscribe(updates.append)
    bus.publish(make_event("ev-det", severity=SEV.DETECTION))
    assert service.alarms.page(AlarmQuery()).items == []
    bus.publish(make_event("ev-det", severity=SEV.ALERT, phase=EventPhase.UPDATE))  # confirmed
    bus.publish(make_event("ev-det", severity=SEV.ALERT, phase=EventPhase.CLOSE))
    assert [a.id for a in service.alarms.page(AlarmQuery()).items] == ["ev-det"]
    assert [(u.topic, u.id, u.action, u.cameras) for u in updates] == [
        ("alarm", "ev-det", "open", ("gate",))]
    assert updates[0].data["state"] == "new" and updates[0].data["priority"] == "medium"
    assert bus.failures == 0


def test_disabled_opens_nothing(service: ResponseService) -> None:
    service.config = ResponseConfig(enabled=False)
    assert service.open_alarm(make_event()) is None


def test_queue_order_and_pages(service: ResponseService, clock: FakeClock) -> None:
    specs = [("low-old", K.LOITERING), ("med-old", K.ZONE_PRESENCE), ("high", K.FIGHT),
             ("med-new", K.ZONE_PRESENCE), ("low-new", K.LOITERING), ("handled", K.FIGHT)]
    for event_id, kind in specs:
        clock.advance(10)
        service.open_alarm(make_event(event_id, kind=kind))
    service.act("handled", REQUESTS[Action.ACKNOWLEDGE], ANA)
    expected = ["high", "med-old", "med-new", "low-old", "low-new", "handled"]
    page = service.alarms.page(AlarmQuery(limit=4))
    seen = [a.id for a in page.items]
    assert page.next_cursor is not None
    page = service.alarms.page(AlarmQuery(limit=4, cursor=page.next_cursor))
    assert seen + [a.id for a in page.items] == expected and page.next_cursor is None
    only = service.alarms.page(AlarmQuery(states=["new"], priorities=["medium"]))
    assert [a.id for a in only.items] == ["med-old", "med-new"]
    assert service.alarms.page(AlarmQuery(cameras=[])).items == []
    with pytest.raises(ValueError, match="cursor"):
        service.alarms.page(AlarmQuery(cursor="not-a-cursor"))
