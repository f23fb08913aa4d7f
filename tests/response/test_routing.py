"""Sector routing: alarms carry their sector, go to supervisors when nobody is on shift,
and an operator's queue and actions are limited to their on-shift sectors (store level)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from response_factories import T0, FakeClock, make_event, open_service

from kuzet.config.sectors import SectorConfig, sector_of_cameras
from kuzet.core.roles import Role
from kuzet.privacy.auth.service import AuthService
from kuzet.privacy.auth.users import UserRepo
from kuzet.response.actor import Actor
from kuzet.response.alarms import AlarmQuery
from kuzet.response.errors import ForbiddenError, InvalidError
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.shifts import NewShift, Routing
from kuzet.response.states import Action

ALMATY = ZoneInfo("Asia/Almaty")
SECTORS = {"north": SectorConfig(cameras=["gate"]), "south": SectorConfig(sites=["market"])}
SITES = {"gate": None, "stall": "market", "pier": "harbour", "roof": None}
Routed = tuple[ResponseService, dict[str, Actor], UserRepo]


@pytest.fixture
def routed(tmp_path: Path, clock: FakeClock) -> Iterator[Routed]:
    store, service = open_service(tmp_path, clock=clock)
    service.routing = Routing(store.engine, SECTORS, sector_of_cameras(SECTORS, SITES), ALMATY)
    users = AuthService.from_engine(store.engine).users
    actors = {}
    for name, role in (("ana", Role.OPERATOR), ("bob", Role.OPERATOR), ("sue", Role.SUPERVISOR)):
        user = users.create(name, "a-long-enough-password", role)
        actors[name] = Actor(name, user.id, supervisor=role is Role.SUPERVISOR)
    yield service, actors, users
    store.close()


def _shift(service: ResponseService, actor: Actor, sectors: tuple[str, ...],
           start: datetime, hours: float = 8) -> None:
    new = NewShift(actor.user_id or "", actor.name, sectors, start, start + timedelta(hours=hours))
    service.routing.add(new, actor, service.clock())


@pytest.mark.parametrize(("sectors", "sites", "expected"), [
    ({"n": SectorConfig(cameras=["a"])}, {"a": None, "b": None}, {"a": "n"}),
    ({"n": SectorConfig(sites=["x"])}, {"a": "x", "b": "x", "c": "y"}, {"a": "n", "b": "n"}),
    ({}, {"a": "x"}, {}),
])  # fmt: skip
def test_sector_of_cameras(sectors: dict[str, SectorConfig], sites: dict[str, str | None],
                           expected: dict[str, str]) -> None:
    assert sector_of_cameras(sectors, sites) == expected


@pytest.mark.parametrize(("camera", "on_shift", "sector", "queue"), [
    ("gate", (), "north", "supervisors"),          # nobody on shift in north
    ("gate", ("north",), "north", "operators"),
    ("gate", ("south",), "north", "supervisors"),  # on shift, but elsewhere
    ("stall", ("south",), "south", "operators"),   # sector by site
    ("pier", (), None, "operators"),               # in no sector: everyone's
])  # fmt: skip
def test_alarm_carries_sector_and_queue(routed: Routed,
                                        camera: str, on_shift: tuple[str, ...],
                                        sector: str | None, queue: str) -> None:
    service, actors, users = routed
    if on_shift:
        _shift(service, actors["ana"], on_shift, T0 - timedelta(hours=1))
    row = service.open_alarm(make_event("ev-r", camera_id=camera))
    assert row is not None and (row.sector, row.queue) == (sector, queue)
    opened = service.alarms.history(["ev-r"])[0].details
    assert opened.get("sector") == sector


def test_shift_window_and_disabled_users(routed: Routed,
                                         clock: FakeClock) -> None:
    service, actors, users = routed
    _shift(service, actors["ana"], ("north",), T0 + timedelta(hours=1), hours=2)
    assert service.routing.route("gate", T0).queue == "supervisors"  # not started yet
    assert service.routing.route("gate", T0 + timedelta(hours=1)).queue == "operators"
    assert service.routing.route("gate", T0 + timedelta(hours=3)).queue == "supervisors"  # ended
    users.set_disabled("ana", True)
    assert service.routing.route("gate", T0 + timedelta(hours=2)).queue == "supervisors"


def _queue_ids(service: ResponseService, actor: Actor) -> list[str]:
    view = service.routing.view(actor, service.clock())
    return sorted(a.id for a in service.alarms.page(AlarmQuery(view=view)).items)


def test_operator_queue_holds_only_their_sectors(
        routed: Routed) -> None:
    service, actors, users = routed
    ana, bob, sue = actors["ana"], actors["bob"], actors["sue"]
    _shift(service, ana, ("north",), T0 - timedelta(hours=1))
    for event_id, camera in (("n1", "gate"), ("s1", "stall"), ("x1", "pier")):
        service.open_alarm(make_event(event_id, camera_id=camera))
    assert _queue_ids(service, ana) == ["n1", "x1"]          # north + no sector
    assert _queue_ids(service, bob) == ["x1"]                # off shift: unsectored only
    assert _queue_ids(service, sue) == ["n1", "s1", "x1"]    # supervisors see all
    service.act("s1", ActionRequest(Action.ASSIGN, owner="bob", owner_id=bob.user_id), sue)
    assert _queue_ids(service, bob) == ["s1", "x1"]          # their own alarm, any sector
    assert service.alarms.page(AlarmQuery(sectors=["south"])).items[0].id == "s1"


@pytest.mark.parametrize(("alarm", "who", "allowed"), [
    ("n1", "ana", True),    # on shift in north
    ("n1", "bob", False),   # not on shift there
    ("s1", "ana", False),   # south went to the supervisors' queue
    ("s1", "sue", True),
    ("x1", "bob", True),    # no sector
])  # fmt: skip
def test_actions_are_routed(routed: Routed, alarm: str,
                            who: str, allowed: bool) -> None:
    service, actors, users = routed
    _shift(service, actors["ana"], ("north",), T0 - timedelta(hours=1))
    for event_id, camera in (("n1", "gate"), ("s1", "stall"), ("x1", "pier")):
        service.open_alarm(make_event(event_id, camera_id=camera))
    request = ActionRequest(Action.ACKNOWLEDGE)
    if allowed:
        assert service.act(alarm, request, actors[who]).owner == who
    else:
        with pytest.raises(ForbiddenError, match=alarm):
            service.act(alarm, request, actors[who])


@pytest.mark.parametrize(("sectors", "hours", "message"), [
    (("west",), 8, "unknown sectors"),
    ((), 8, "unknown sectors"),
    (("north",), 0, "at most 24 hours"),
    (("north",), 25, "at most 24 hours"),
])  # fmt: skip
def test_bad_shifts_are_refused(routed: Routed,
                                sectors: tuple[str, ...], hours: float, message: str) -> None:
    service, actors, users = routed
    with pytest.raises(InvalidError, match=message):
        _shift(service, actors["ana"], sectors, T0, hours)


def test_site_wall_clock_times(routed: Routed) -> None:
    service, _, _ = routed
    naive = service.routing.local(datetime(2026, 3, 1, 8, 0))
    assert naive.utcoffset() == timedelta(hours=5)  # Asia/Almaty
    assert service.routing.local(T0).isoformat() == "2026-03-01T17:00:00+05:00"


def test_routing_off_without_sectors(tmp_path: Path) -> None:
    store, service = open_service(tmp_path)
    try:
        row = service.open_alarm(make_event())
        assert row is not None and (row.sector, row.queue) == (None, "operators")
        assert service.routing.view(Actor("ana", "u1"), T0) is None
    finally:
        store.close()
