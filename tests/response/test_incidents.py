"""Incidents by hand: create, link (merge alarms), split, merge incidents, close, timeline."""

from __future__ import annotations

import pytest
from response_factories import ANA, BOB, REQUESTS, FakeClock, make_event

from kuzet.config.response import Priority
from kuzet.privacy.audit import AuditQuery
from kuzet.response.errors import ConflictError, InvalidError
from kuzet.response.incidents import IncidentQuery, NewIncident
from kuzet.response.service import ResponseService
from kuzet.response.states import Action

CALL = NewIncident("phone_call", Priority.HIGH, "caller reports a fight at the market",
                   location="Central market, north gate", lat=51.128, lon=71.430)


def _alarms(service: ResponseService, clock: FakeClock, *cameras: str) -> list[str]:
    ids = []
    for n, camera in enumerate(cameras):
        clock.advance(1)
        alarm = service.open_alarm(make_event(f"ev-{camera}-{n}", camera_id=camera))
        assert alarm is not None
        ids.append(alarm.id)
    return ids


def test_create_link_and_timeline(service: ResponseService, clock: FakeClock) -> None:
    a, b = _alarms(service, clock, "gate", "hall")
    clock.advance(1)
    incident = service.desk.create(CALL, ANA)
    assert (incident.state, incident.cameras, incident.created_by) == ("open", [], "ana")
    clock.advance(5)
    incident = service.desk.link(incident.id, [a, b], BOB, "same crowd")
    assert incident.cameras == ["gate", "hall"] and incident.version == 2
    assert {service.alarms.get(x).incident_id for x in (a, b)} == {incident.id}
    clock.advance(5)
    service.act(a, REQUESTS[Action.ACKNOWLEDGE], ANA)
    service.desk.comment(incident.id, "patrol 7 on the way", ANA)
    timeline = service.desk.timeline(incident.id)
    assert [(e["source"], e["action"]) for e in timeline] == [
        ("alarm", "open"), ("alarm", "open"), ("incident", "create"), ("alarm", "link"),
        ("alarm", "link"), ("incident", "link"), ("incident", "link"),
        ("alarm", "acknowledge"), ("incident", "comment")]
    assert timeline == sorted(timeline, key=lambda e: e["at"])
    audited = [r.action for r in service.audit.list(AuditQuery(action="incident.")).items]
    assert sorted(audited) == ["incident.comment", "incident.create", "incident.link",
                               "incident.link"]


def test_link_moves_an_alarm_between_incidents(service: ResponseService,
                                               clock: FakeClock) -> None:
    (a,) = _alarms(service, clock, "gate")
    first = service.desk.create(CALL, ANA, [a])
    second = service.desk.create(NewIncident("fight", Priority.MEDIUM), ANA)
    second = service.desk.link(second.id, [a], ANA)
    assert service.alarms.get(a).incident_id == second.id and second.cameras == ["gate"]
    first = service.incidents.get(first.id)
    assert first.cameras == []
    assert service.incidents.history(first.id)[-1].action == "unlink"


def test_split_and_split_into_new(service: ResponseService, clock: FakeClock) -> None:
    a, b, c = _alarms(service, clock, "gate", "hall", "yard")
    incident = service.desk.create(CALL, ANA, [a, b, c])
    result = service.desk.split(incident.id, [c], ANA)
    assert result.new is None and result.incident.cameras == ["gate", "hall"]
    assert service.alarms.get(c).incident_id is None
    result = service.desk.split(incident.id, [b], ANA, new_incident=True)
    assert result.new is not None and result.new.cameras == ["hall"]
    assert (result.new.type, result.new.location) == ("phone_call", CALL.location)
    assert service.alarms.get(b).incident_id == result.new.id
    with pytest.raises(InvalidError, match="not in incident"):
        service.desk.split(incident.id, [c], ANA)


def test_merge_incidents(service: ResponseService, clock: FakeClock) -> None:
    a, b = _alarms(service, clock, "gate", "hall")
    target = service.desk.create(NewIncident("crowd", Priority.LOW), ANA, [a])
    other = service.desk.create(CALL, ANA, [b])
    merged = service.desk.merge(target.id, other.id, BOB)
    assert merged.priority == "high" and merged.cameras == ["gate", "hall"]
    gone = service.incidents.get(other.id)
    assert (gone.state, gone.merged_into) == ("merged", target.id)
    with pytest.raises(ConflictError, match="merged into"):
        service.desk.link(other.id, [a], ANA)
    with pytest.raises(ConflictError, match="itself"):
        service.desk.merge(target.id, target.id, ANA)


def test_close_needs_resolved_alarms(service: ResponseService, clock: FakeClock) -> None:
    (a,) = _alarms(service, clock, "gate")
    incident = service.desk.create(CALL, ANA, [a])
    with pytest.raises(ConflictError, match=f"unresolved alarms: {a}"):
        service.desk.close(incident.id, "done", ANA)
    service.act(a, REQUESTS[Action.ACKNOWLEDGE], ANA)
    service.act(a, REQUESTS[Action.RESOLVE], ANA)
    closed = service.desk.close(incident.id, "done", ANA)
    assert (closed.state, closed.closed_at) == ("closed", clock.now)
    with pytest.raises(ConflictError, match="is closed"):
        service.desk.edit(incident.id, {"priority": "low"}, ANA)


def test_edit_and_scope(service: ResponseService, clock: FakeClock) -> None:
    a, b = _alarms(service, clock, "gate", "hall")
    gate = service.desk.create(CALL, ANA, [a])
    both = service.desk.create(CALL, ANA, [b])
    service.desk.link(both.id, [a], ANA)
    manual = service.desk.create(NewIncident("patrol_report", Priority.LOW), ANA)
    edited = service.desk.edit(manual.id, {"owner": "bob", "priority": "medium"}, ANA)
    assert (edited.owner, edited.priority) == ("bob", "medium")
    with pytest.raises(InvalidError, match="cannot edit"):
        service.desk.edit(manual.id, {"state": "closed"}, ANA)
    page = service.incidents.page(IncidentQuery(cameras=["gate"]))
    assert {i.id for i in page.items} == {both.id, manual.id, gate.id}  # gate held ev-gate
    assert service.incidents.visible(both.id, ["gate"])
    assert not service.incidents.visible(both.id, ["yard"])
    assert not service.incidents.visible(gate.id, ["hall"])  # emptied, but not public
    assert service.incidents.visible(manual.id, ["yard"])


def test_incident_pages(service: ResponseService, clock: FakeClock) -> None:
    made = []
    for _ in range(5):
        clock.advance(1)
        made.append(service.desk.create(CALL, ANA).id)
    page = service.incidents.page(IncidentQuery(limit=2))
    seen = [i.id for i in page.items]
    while page.next_cursor:
        page = service.incidents.page(IncidentQuery(limit=2, cursor=page.next_cursor))
        seen += [i.id for i in page.items]
    assert seen == made[::-1]
