"""When a shift ends: re-route its sectors' waiting alarms (issue 15, routing).

For each shift of the rota that has ended (``end_at`` passed, not handled yet),
in each of its sectors:

- the alarms its user owned (acknowledged, dispatched ... not resolved) go to the
  operator on shift there now with the fewest open alarms (``owner`` changes),
  or, with nobody on shift, to the supervisors' queue without an owner; unless
  the user is still on shift there (a back-to-back shift);
- the sector's new, unowned alarms in the operators' queue, when nobody who was
  on shift there just before the end still is: they stay in the operators'
  queue for the next shift's users (named in the history), or move to the
  supervisors' queue when nobody is on shift.

Every re-routed alarm gets a ``reroute`` history row and audit record (what the
activity log shows), a live update (SSE, MQTT, webhooks) and a supervisor
notice (``alarm_rerouted``). The state never changes: a shift's end is not a
missed time limit (that stays :mod:`kuzet.response.escalation`'s). A shift's end
is claimed once (``shifts.rerouted_at``), so two runs never re-route twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kuzet.response.actor import Actor
from kuzet.response.alarms import Change
from kuzet.response.models import AlarmRow
from kuzet.response.notices import ALARM_REROUTED
from kuzet.response.service import OPERATORS, SUPERVISORS, ResponseService
from kuzet.response.shifts import ShiftRow
from kuzet.response.states import Action, AlarmState

log = logging.getLogger(__name__)
JUST_BEFORE = timedelta(microseconds=1)
Staff = list[tuple[str, str]]  # (user id, username)


@dataclass(frozen=True, slots=True)
class Ended:
    """One shift end handled: the shift and the alarms re-routed (ids)."""

    shift_id: str
    username: str
    rerouted: list[str] = field(default_factory=list)


@dataclass
class _Sector:
    """One sector of an ended shift, as seen at the moment of re-routing."""

    shift: ShiftRow
    sector: str
    staff: Staff
    handed_over: bool  # someone on shift there just before the end still is
    load: dict[str, int]


def reroute_ended_shifts(service: ResponseService, now: datetime | None = None) -> list[Ended]:
    """Handle every shift that ended by ``now`` (default: the service's clock).

    Example:
        >>> [e.rerouted for e in reroute_ended_shifts(service)]  # doctest: +SKIP
        [['ev-1', 'ev-2']]
    """
    now = now or service.clock()
    routing = service.routing
    done: list[Ended] = []
    for shift in routing.ended(now):
        if not routing.claim(shift.id, now):
            continue  # another run has it
        ended = Ended(shift.id, shift.username)
        for sector in shift.sectors:
            ended.rerouted.extend(_reroute_sector(service, _look(service, shift, sector, now)))
        if ended.rerouted:
            log.info("shift %s of %s ended: %d alarms re-routed", shift.id, shift.username,
                     len(ended.rerouted))
        done.append(ended)
    return done


def _look(service: ResponseService, shift: ShiftRow, sector: str, now: datetime) -> _Sector:
    routing = service.routing
    staff = routing.staff(sector, now)
    before = {uid for uid, _ in routing.staff(sector, shift.end_at - JUST_BEFORE)}
    handed_over = bool(before & {uid for uid, _ in staff})  # someone stays on
    load = service.alarms.owned_counts([uid for uid, _ in staff]) if staff else {}
    return _Sector(shift, sector, staff, handed_over, load)


def _reroute_sector(service: ResponseService, at: _Sector) -> list[str]:
    on_now = {uid for uid, _ in at.staff}
    moved = []
    for alarm in service.alarms.waiting_in(at.sector, at.shift.user_id):
        owned = alarm.owner_id == at.shift.user_id
        if (owned and at.shift.user_id in on_now) or (not owned and at.handed_over):
            continue  # still theirs, or the operators who stay keep seeing it
        change = _change(alarm, at, owned)
        after = service.write(alarm, change)
        if after is None:
            continue  # someone acted on it meanwhile: theirs now
        moved.append(alarm.id)
        service.sop.notices.add(ALARM_REROUTED, alarm.incident_id, change.reason or "",
                                dict(change.details), Actor.system(), service.clock(),
                                alarm_id=alarm.id)
    return moved


def _change(alarm: AlarmRow, at: _Sector, owned: bool) -> Change:
    """The ``reroute`` of one alarm (see the module docstring)."""
    base = f"shift of {at.shift.username} in sector {at.sector} ended"
    details: dict[str, Any] = {"shift_id": at.shift.id, "sector": at.sector,
                               "ended_user": at.shift.username,
                               "ended_at": at.shift.end_at.isoformat(), "owned": owned}
    state = AlarmState(alarm.state)
    if not at.staff:
        values = {"queue": SUPERVISORS, "owner": None, "owner_id": None} if owned else {
            "queue": SUPERVISORS}
        details |= {"queue": SUPERVISORS, "to": [], "previous_owner": alarm.owner}
        return Change(Action.REROUTE, state, values,
                      f"{base}; nobody is on shift there: re-queued to the supervisors", details)
    if not owned:
        names = [name for _, name in at.staff]
        details |= {"queue": OPERATORS, "to": names}
        return Change(Action.REROUTE, state, {"queue": OPERATORS},
                      f"{base}; waiting for the operators on shift now: {', '.join(names)}",
                      details)
    uid, name = min(at.staff, key=lambda user: (at.load.get(user[0], 0), user[1], user[0]))
    at.load[uid] = at.load.get(uid, 0) + 1
    details |= {"queue": OPERATORS, "to": [name], "previous_owner": alarm.owner}
    return Change(Action.REROUTE, state, {"queue": OPERATORS, "owner": name, "owner_id": uid},
                  f"{base}; handed to {name}, on shift there now", details)
