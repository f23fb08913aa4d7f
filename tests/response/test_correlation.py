"""Correlation rules: same camera or camera group within a window joins the open incident."""

from __future__ import annotations

from pathlib import Path

import pytest
from response_factories import ANA, REQUESTS, FakeClock, make_event, open_service

from kuzet.config.response import CorrelationRule, Priority, ResponseConfig
from kuzet.core.types import EventKind, Severity
from kuzet.response.correlation import applies
from kuzet.response.incidents import NewIncident
from kuzet.response.service import ResponseService
from kuzet.response.states import Action

VENUE = CorrelationRule(name="venue", cameras=["gate", "hall"], window=300,
                        incident_type="disorder")
SAME = CorrelationRule(name="same-camera", kinds=[EventKind.FIGHT], window=120)
F, Z = EventKind.FIGHT, EventKind.ZONE_PRESENCE


@pytest.mark.parametrize(("rule", "camera", "kind", "expected"), [
    (VENUE, "gate", Z, True), (VENUE, "yard", Z, False), (SAME, "yard", F, True),
    (SAME, "yard", Z, False),
])  # fmt: skip
def test_applies(rule: CorrelationRule, camera: str, kind: EventKind, expected: bool) -> None:
    assert applies(rule, camera, kind) is expected


# Each step: (seconds since the previous alarm, camera, kind); expected incident per
# alarm as a label ("a", "b" ...: same label = same incident; None = no incident).
SCENARIOS = {
    "group joins": ([(0, "gate", Z), (60, "hall", F), (60, "gate", Z)], ["a", "a", "a"]),
    "first alone": ([(0, "gate", Z)], [None]),
    "outside window": ([(0, "gate", Z), (301, "hall", Z)], [None, None]),
    "window from newest": ([(0, "gate", Z), (200, "hall", Z), (200, "gate", Z)],
                           ["a", "a", "a"]),
    "other camera": ([(0, "gate", Z), (10, "yard", Z)], [None, None]),
    "same camera only": ([(0, "yard", F), (10, "dock", F), (10, "yard", F)],
                         ["a", None, "a"]),
    "kind filter": ([(0, "yard", F), (10, "yard", Z)], [None, None]),
    "two incidents": ([(0, "yard", F), (10, "yard", F), (500, "yard", F), (10, "yard", F)],
                      ["a", "a", "b", "b"]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(tmp_path: Path, name: str) -> None:
    steps, expected = SCENARIOS[name]
    clock = FakeClock()
    store, service = open_service(tmp_path, ResponseConfig(correlation=[VENUE, SAME]), clock)
    try:
        ids = []
        for n, (gap, camera, kind) in enumerate(steps):
            clock.advance(gap)
            alarm = service.open_alarm(make_event(f"ev-{n}", camera_id=camera, kind=kind))
            assert alarm is not None
            ids.append(alarm.id)
        assert _labels([service.alarms.get(i).incident_id for i in ids]) == expected
    finally:
        store.close()


def test_new_incident_takes_rule_type_and_top_priority(tmp_path: Path) -> None:
    clock = FakeClock()
    store, service = open_service(tmp_path, ResponseConfig(correlation=[VENUE]), clock)
    try:
        service.open_alarm(make_event("ev-1"))
        clock.advance(5)
        fight = service.open_alarm(make_event("ev-2", camera_id="hall", kind=F,
                                              severity=Severity.CRITICAL))
        assert fight is not None and fight.incident_id is not None
        incident = service.incidents.get(fight.incident_id)
        assert (incident.type, incident.priority, incident.source, incident.rule) == (
            "disorder", "critical", "correlation", "venue")
        assert incident.cameras == ["gate", "hall"]
        actions = [(e["source"], e["action"]) for e in service.desk.timeline(incident.id)]
        assert actions.count(("incident", "link")) == 2 and ("incident", "create") in actions
    finally:
        store.close()


def test_resolved_alarm_starts_nothing_and_closed_incident_is_not_joined(
    service: ResponseService, clock: FakeClock
) -> None:
    config = ResponseConfig(correlation=[SAME])
    service.config = config
    first = service.open_alarm(make_event("ev-1", kind=F))
    assert first is not None
    service.act(first.id, REQUESTS[Action.ACKNOWLEDGE], ANA)
    service.act(first.id, REQUESTS[Action.RESOLVE], ANA)
    second = service.open_alarm(make_event("ev-2", kind=F))
    assert second is not None and second.incident_id is None
    incident = service.desk.create(NewIncident("fight", Priority.HIGH), ANA, [first.id])
    service.desk.close(incident.id, "over", ANA)
    third = service.open_alarm(make_event("ev-3", kind=F))
    assert third is not None
    assert service.alarms.get(third.id).incident_id not in (None, incident.id)  # joins ev-2


def _labels(incident_ids: list[str | None]) -> list[str | None]:
    """Incident ids as "a", "b" ... in order of first appearance."""
    names: dict[str, str] = {}
    for incident_id in incident_ids:
        if incident_id is not None and incident_id not in names:
            names[incident_id] = "abcdef"[len(names)]
    return [None if i is None else names[i] for i in incident_ids]
