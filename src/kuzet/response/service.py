"""Alarm handling: open alarms from events, take actions, audit and publish every change.

:class:`ResponseService` is the one object the API and the runtime use; incidents
are reached through :attr:`ResponseService.desk` (:mod:`kuzet.response.desk`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Connection, Engine

from kuzet.config.response import Priority, ResponseConfig, TimeLimits
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.privacy.audit import AuditLog
from kuzet.response.actor import Actor
from kuzet.response.alarms import AlarmRepo, Change, StaleError
from kuzet.response.desk import IncidentDesk
from kuzet.response.errors import ConflictError
from kuzet.response.incidents import IncidentRepo
from kuzet.response.models import AlarmRow
from kuzet.response.planning import ActionRequest, plan
from kuzet.response.priority import needs_alarm, priority_for
from kuzet.response.referrals import ReferralDesk
from kuzet.response.shifts import Routing
from kuzet.response.sop import ProcedureDesk
from kuzet.response.staging import Staging
from kuzet.response.states import QUEUE_RANK, Action, AlarmState
from kuzet.response.views import ResponseUpdate, alarm_json
from kuzet.store.codec import to_jsonable

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
CAS_ATTEMPTS = 3
OPERATORS, SUPERVISORS = "operators", "supervisors"


def utc_now() -> datetime:
    """The wall clock in UTC (the default :data:`Clock`)."""
    return datetime.now(UTC)


def due(start: datetime, limits: TimeLimits, priority: Priority) -> datetime | None:
    """``start`` plus the limit of ``priority``, or None without a limit."""
    seconds = limits.for_priority(priority)
    return None if seconds is None else start + timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class Applied:
    """One change that was written: the alarm before and after, and the change."""

    before: AlarmRow
    after: AlarmRow
    change: Change


class ResponseService:
    """Alarms and incidents on one database, with their audit records and live updates.

    Example:
        >>> service = ResponseService(engine, audit, ResponseConfig())  # doctest: +SKIP
        >>> service.act("ev-1", ActionRequest(Action.ACKNOWLEDGE), Actor("ana", "u1"))
    """

    def __init__(self, engine: Engine, audit: AuditLog | None = None,
                 config: ResponseConfig | None = None, clock: Clock = utc_now) -> None:
        self.config = config or ResponseConfig()
        self.audit = audit or AuditLog(engine)
        self.clock = clock
        self.alarms = AlarmRepo(engine)
        self.incidents = IncidentRepo(engine)
        self.updates: Bus[ResponseUpdate] = Bus()
        self.outbox = Staging()  # inside each change's transaction (webhook deliveries)
        self.desk = IncidentDesk(self)
        self.sop = ProcedureDesk(self, engine)
        self.referrals = ReferralDesk(self, engine)
        self.correlation_lock = threading.Lock()
        self.routing = Routing(engine)  # sectors and shifts; the runtime assigns its own

    def open_alarm(self, event: Event) -> AlarmRow | None:
        """Open the alarm of an alert-grade event (once per event id); then correlate it.

        Returns:
            The new alarm, or None (not alert-grade, alarms off, or already open).
        """
        if not self.config.enabled or not needs_alarm(event) or self.alarms.exists(event.id):
            return None
        now = self.clock()
        priority = priority_for(event, self.config)
        route = self.routing.route(event.camera_id, now)
        row = AlarmRow(
            id=event.id, camera_id=event.camera_id, kind=str(event.kind), rule_id=event.rule_id,
            severity=str(event.severity), priority=priority.value, priority_rank=priority.rank,
            state=AlarmState.NEW.value, queue_rank=QUEUE_RANK[AlarmState.NEW], queue=route.queue,
            sector=route.sector,
            event_at=event.started_at, opened_at=now, updated_at=now,
            ack_due_at=due(now, self.config.acknowledge_within, priority),
            resolve_due_at=due(now, self.config.resolve_within, priority),
            attrs=to_jsonable({"labels": list(event.labels), **dict(event.attrs)}), version=1,
        )  # fmt: skip
        details = {"priority": priority.value, "kind": row.kind, "rule_id": row.rule_id,
                   **({"sector": route.sector, "queue": route.queue, "routed": route.reason}
                      if route.sector else {})}
        change = Change(Action.OPEN, AlarmState.NEW, details=details)
        opened = Applied(row, row, change)
        if not self.alarms.open(row, Actor.system(), details, self._audit(opened, Actor.system())):
            return None
        self.publish_alarm(row, change.action.value)
        self.desk.correlate(row)
        return self.alarms.get(row.id)

    def act(self, alarm_id: str, request: ActionRequest, actor: Actor) -> AlarmRow:
        """Take an action on an alarm, as ``actor``.

        The state is checked again inside the write (compare-and-set on the
        alarm's version): when two operators act at once, the second one's action
        is re-checked against the state the first one left.

        Raises:
            NotFoundError: Unknown alarm.
            ConflictError: Illegal in the alarm's state (the message names it), or
                ``request.version`` is not the alarm's current version.
            ForbiddenError: Another operator's alarm, or a supervisor's action.
            InvalidError: A required detail is missing (verdict, unit, reason ...).
        """
        return self.apply(alarm_id, request, actor).after

    def apply(self, alarm_id: str, request: ActionRequest, actor: Actor) -> Applied:
        """Like :meth:`act`, returning the alarm before and after and the change."""
        for _ in range(CAS_ATTEMPTS):
            row = self.alarms.get(alarm_id)
            if request.version is not None and request.version != row.version:
                raise ConflictError(
                    f"alarm {alarm_id} changed since you loaded it (version {request.version}, "
                    f"now {row.version}): it is {row.state}"
                    + (f", owned by {row.owner}" if row.owner else ""))
            self.routing.check(row, actor, self.clock())
            change = plan(row, request, actor, self.clock(), self.config)
            try:
                after = self.alarms.apply(row, change, actor, self.clock(),
                                          self._audit(Applied(row, row, change), actor))
            except StaleError:
                continue  # re-read and re-check against what the other writer left
            self.publish_alarm(after, change.action.value)
            return Applied(row, after, change)
        raise ConflictError(f"alarm {alarm_id} is changing too fast; reload it and try again")

    def write(self, row: AlarmRow, change: Change, actor: Actor | None = None) -> AlarmRow | None:
        """Write a change the server checked itself (time limits, incident links).

        Returns:
            The alarm after it, or None when the alarm changed since ``row`` was read.
        """
        actor = actor or Actor.system()
        try:
            after = self.alarms.apply(row, change, actor, self.clock(),
                                      self._audit(Applied(row, row, change), actor))
        except StaleError:
            return None
        self.publish_alarm(after, change.action.value)
        return after

    def _audit(self, planned: Applied,
               actor: Actor) -> Callable[[Connection, AlarmRow], object]:
        """The change's audit record and outbox entries, in the alarm's own transaction.

        A store failing mid-way then rolls back all of them (the outbox or the
        caller retries the whole), never leaving an alarm change without its
        record or its webhook deliveries (:attr:`outbox`).
        """
        before, change = planned.before, planned.change
        opening = change.action is Action.OPEN
        details = {"from": None if opening else before.state, "to": change.to_state.value,
                   "reason": change.reason,
                   "version": before.version if opening else before.version + 1,
                   **change.details}

        def append(conn: Connection, written: AlarmRow) -> None:
            self.audit.record_in(
                conn, f"alarm.{change.action.value}", actor=actor.username, ip=actor.ip,
                camera_id=before.camera_id, target=before.id, details=details)
            self.outbox(conn, alarm_update(written, change.action.value))

        return append

    def publish_alarm(self, row: AlarmRow, action: str) -> None:
        """Publish an alarm's new state on :attr:`updates` (after its commit)."""
        self.updates.publish(alarm_update(row, action))


def alarm_update(row: AlarmRow, action: str) -> ResponseUpdate:
    """The :class:`ResponseUpdate` of one alarm change."""
    return ResponseUpdate("alarm", row.id, action, (row.camera_id,), alarm_json(row))
