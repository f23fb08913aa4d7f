"""When a shift ends, its sector's waiting alarms are re-routed (issue 15 gap 3): to the
next shift's operators or the supervisors' queue, with a history row, an audit record
and a supervisor notice. Time moves by hand (a fake clock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from response_factories import REQUESTS, T0, FakeClock, make_event, open_service

from kuzet.config.sectors import SectorConfig, sector_of_cameras
from kuzet.core.roles import Role
from kuzet.privacy.audit import AuditQuery
from kuzet.privacy.auth.service import AuthService
from kuzet.response.actor import Actor
from kuzet.response.alarms import AlarmQuery
from kuzet.response.errors import ForbiddenError
from kuzet.response.notices import NoticeQuery
from kuzet.response.service import ResponseService
from kuzet.response.shift_end import reroute_ended_shifts
from kuzet.response.shifts import NewShift, Routing
from kuzet.response.states import Action
from kuzet.response.views import ResponseUpdate

SECTORS = {"north": SectorConfig(cameras=["gate"]), "south": SectorConfig(cameras=["hall"])}
HOUR = timedelta(hours=1)
Site = tuple[ResponseService, dict[str, Actor], FakeClock]


@pytest.fixture
def site(tmp_path: Path, clock: FakeClock) -> Iterator[Site]:
    store, service = open_service(tmp_path, clock=clock)
    service.routing = Routing(store.engine, SECTORS,
                              sector_of_cameras(SECTORS, {"gate": None, "hall": None}))
    users = AuthService.from_engine(store.engine).users
    actors = {}
    for name, role in (("ana", Role.OPERATOR), ("bob", Role.OPERATOR),
                       ("carol", Role.OPERATOR), ("sue", Role.SUPERVISOR)):
        user = users.create(name, "a-long-enough-password", role)
        actors[name] = Actor(name, user.id, supervisor=role is Role.SUPERVISOR)
    yield service, actors, clock
    store.close()


def _shift(site: Site, name: str, start: timedelta, end: timedelta,
           sectors: tuple[str, ...] = ("north",)) -> None:
    service, actors, _ = site
    actor = actors[name]
    service.routing.add(NewShift(actor.user_id or "", name, sectors, T0 + start, T0 + end),
                        actors["sue"], T0)


def _waiting(site: Site) -> None:
    """At T0 on ana's shift in north: ev-1 new, ev-2 taken by ana, ev-3 dispatched by
    ana; ev-9 in south (another sector) new."""
    service, actors, _ = site
    for alarm_id, camera in (("ev-1", "gate"), ("ev-2", "gate"), ("ev-3", "gate"),
                             ("ev-9", "hall")):
        service.open_alarm(make_event(alarm_id, camera_id=camera))
    for alarm_id in ("ev-2", "ev-3"):
        service.act(alarm_id, REQUESTS[Action.ACKNOWLEDGE], actors["ana"])
    service.act("ev-3", REQUESTS[Action.DISPATCH], actors["ana"])


def _where(service: ResponseService) -> dict[str, tuple[str, str | None, str]]:
    """alarm -> (queue, owner, state)."""
    return {a.id: (a.queue, a.owner, a.state) for a in service.alarms.page(AlarmQuery()).items}


def _reroutes(service: ResponseService) -> list[str]:
    return sorted(h.alarm_id for h in service.alarms.history(["ev-1", "ev-2", "ev-3", "ev-9"])
                  if h.action == "reroute")


# (other shifts besides ana's T0-1h..T0+1h in north, expected after her end)
CASES = {
    "next shift takes over": (
        [("bob", HOUR, 9 * HOUR)],
        {"ev-1": ("operators", None, "new"), "ev-2": ("operators", "bob", "acknowledged"),
         "ev-3": ("operators", "bob", "dispatched")}),
    "nobody next: supervisors": (
        [],
        {"ev-1": ("supervisors", None, "new"), "ev-2": ("supervisors", None, "acknowledged"),
         "ev-3": ("supervisors", None, "dispatched")}),
    "a colleague stays on": (
        [("carol", -HOUR, 5 * HOUR)],
        {"ev-1": ("operators", None, "new"), "ev-2": ("operators", "carol", "acknowledged"),
         "ev-3": ("operators", "carol", "dispatched")}),
    "back-to-back shift": (
        [("ana", HOUR, 9 * HOUR)],
        {"ev-1": ("operators", None, "new"), "ev-2": ("operators", "ana", "acknowledged"),
         "ev-3": ("operators", "ana", "dispatched")}),
}
REROUTED = {"next shift takes over": ["ev-1", "ev-2", "ev-3"],
            "nobody next: supervisors": ["ev-1", "ev-2", "ev-3"],
            "a colleague stays on": ["ev-2", "ev-3"], "back-to-back shift": []}


@pytest.mark.parametrize("case", sorted(CASES))
def test_shift_end_reroutes(site: Site, case: str) -> None:
    service, _, clock = site
    others, expected = CASES[case]
    _shift(site, "ana", -HOUR, HOUR)
    _shift(site, "bob", -HOUR, 9 * HOUR, ("south",))  # south's own operator, unaffected
    for name, start, end in others:
        _shift(site, name, start, end)
    _waiting(site)
    before = _where(service)
    clock.advance(59 * 60)
    assert reroute_ended_shifts(service) == []  # not ended yet: nothing, nothing claimed
    assert _where(service) == before
    clock.advance(70)  # T0 + 1h + 10 s
    ended = reroute_ended_shifts(service)
    assert [(e.username, sorted(e.rerouted)) for e in ended] == [("ana", REROUTED[case])]
    assert {k: v for k, v in _where(service).items() if k != "ev-9"} == expected
    assert _where(service)["ev-9"] == before["ev-9"]  # another sector's alarm stays
    assert _reroutes(service) == REROUTED[case]
    notices = service.sop.notices.page(NoticeQuery(limit=50)).items
    assert sorted(n.alarm_id or "" for n in notices) == REROUTED[case]
    assert all(n.kind == "alarm_rerouted" and "shift of ana in sector north ended" in n.text
               for n in notices)
    audited = service.audit.list(AuditQuery(action="alarm.reroute")).items
    assert sorted(r.target or "" for r in audited) == REROUTED[case]
    clock.advance(3600)
    assert reroute_ended_shifts(service) == []  # handled once
    assert _reroutes(service) == REROUTED[case]


def test_rerouted_alarms_change_hands(site: Site) -> None:
    service, actors, clock = site
    _shift(site, "ana", -HOUR, HOUR)
    _shift(site, "bob", HOUR, 9 * HOUR)
    _shift(site, "carol", HOUR, 9 * HOUR)
    _waiting(site)
    pushed: list[ResponseUpdate] = []
    service.updates.subscribe(pushed.append)
    clock.advance(3610)
    reroute_ended_shifts(service)
    owners = {k: v[1] for k, v in _where(service).items()}
    assert (owners["ev-2"], owners["ev-3"]) == ("bob", "carol")  # the least loaded first
    with pytest.raises(ForbiddenError):
        service.act("ev-2", REQUESTS[Action.RESOLVE], actors["ana"])  # not hers any more
    assert service.act("ev-2", REQUESTS[Action.RESOLVE], actors["bob"]).state == "resolved"
    history = [h for h in service.alarms.history(["ev-3"]) if h.action == "reroute"]
    assert history[0].details["previous_owner"] == "ana" and history[0].details["to"] == [
        "carol"]
    assert history[0].actor is None and history[0].from_state == history[0].to_state
    assert sorted(u.id for u in pushed if u.action == "reroute") == ["ev-1", "ev-2", "ev-3"]
