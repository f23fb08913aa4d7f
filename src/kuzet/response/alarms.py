"""Alarm repository: open, read, list (queue order, keyset pages) and compare-and-set changes.

Every change is one ``UPDATE alarms ... WHERE id = :id AND version = :seen`` plus
its history row, in one transaction. When another writer got there first the
update matches no row and :class:`StaleError` is raised; nothing is overwritten.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kuzet.response.actor import Actor
from kuzet.response.errors import ConflictError, NotFoundError
from kuzet.response.models import AlarmHistoryRow, AlarmRow
from kuzet.response.shifts import OPERATORS, OperatorView
from kuzet.response.states import QUEUE_RANK, Action, AlarmState

MAX_LIMIT = 500
A = AlarmRow
QUEUE_ORDER = (A.queue_rank, A.priority_rank, A.opened_at, A.id)


class StaleError(ConflictError):
    """The alarm changed between reading it and writing the change."""


@dataclass(frozen=True, slots=True)
class AlarmQuery:
    """Filters of :meth:`AlarmRepo.page`; empty lists mean "any".

    Attributes:
        states: Alarm states to include.
        priorities: Priorities to include.
        cameras: Camera ids; None = every camera, ``[]`` = none.
        kinds: Event kinds.
        queue: ``operators`` or ``supervisors``; None for both.
        incident_id: Only the alarms of this incident.
        sectors: Routing sectors; empty = any.
        view: An operator's routing filter (their on-shift sectors, unsectored alarms
            in the operators' queue, and their own alarms); None = no filter.
        limit: Page size, 1..500.
        cursor: ``next_cursor`` of the previous page.
    """

    states: Sequence[str] = ()
    priorities: Sequence[str] = ()
    cameras: Sequence[str] | None = None
    kinds: Sequence[str] = ()
    queue: str | None = None
    incident_id: str | None = None
    sectors: Sequence[str] = ()
    view: OperatorView | None = None
    limit: int = 50
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be in 1..{MAX_LIMIT}, got {self.limit}")


@dataclass(frozen=True, slots=True)
class AlarmPage:
    """One page in queue order; ``next_cursor`` is None on the last page."""

    items: list[AlarmRow] = field(default_factory=list)
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one alarm.

    Attributes:
        action: What happened.
        to_state: The state after it (the same state for comments, links ...).
        values: Other columns to set (owner, unit, verdict, priority ...).
        reason: Why (free text: the operator's note or the server's reason).
        details: JSON facts for the history row and the audit record.
    """

    action: Action
    to_state: AlarmState
    values: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def encode_keys(keys: Sequence[Any]) -> str:
    """Opaque cursor of a keyset position (JSON-able keys)."""
    return base64.urlsafe_b64encode(json.dumps(list(keys)).encode()).decode().rstrip("=")


def decode_keys(cursor: str, count: int) -> list[Any]:
    """Inverse of :func:`encode_keys`.

    Raises:
        ValueError: Malformed cursor, or not ``count`` keys.
    """
    try:
        keys = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"invalid cursor {cursor!r}") from error
    if not isinstance(keys, list) or len(keys) != count:
        raise ValueError(f"invalid cursor {cursor!r}")
    return keys


def encode_cursor(row: AlarmRow) -> str:
    """Opaque keyset position of ``row`` in queue order."""
    return encode_keys([row.queue_rank, row.priority_rank, row.opened_at.isoformat(), row.id])


def decode_cursor(cursor: str) -> tuple[int, int, datetime, str]:
    """Inverse of :func:`encode_cursor`.

    Raises:
        ValueError: Malformed cursor.
    """
    queue, prio, opened, alarm_id = decode_keys(cursor, 4)
    try:
        return int(queue), int(prio), datetime.fromisoformat(str(opened)), str(alarm_id)
    except (TypeError, ValueError) as error:
        raise ValueError(f"invalid cursor {cursor!r}") from error


def after(columns: Sequence[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """``columns > values`` in lexicographic (keyset) order, portable to every backend."""
    first, rest = columns[0], columns[1:]
    if not rest:
        return sa.and_(first > values[0])
    return sa.or_(first > values[0], sa.and_(first == values[0], after(rest, values[1:])))


def _filtered(query: AlarmQuery) -> sa.Select[AlarmRow]:
    stmt = sa.select(AlarmRow)
    filters = ((A.state, query.states), (A.priority, query.priorities), (A.kind, query.kinds))
    for column, wanted in filters:
        if wanted:
            stmt = stmt.where(column.in_(list(wanted)))
    if query.cameras is not None:
        stmt = stmt.where(A.camera_id.in_(list(query.cameras)))
    if query.queue is not None:
        stmt = stmt.where(A.queue == query.queue)
    if query.incident_id is not None:
        stmt = stmt.where(A.incident_id == query.incident_id)
    if query.sectors:
        stmt = stmt.where(A.sector.in_(list(query.sectors)))
    if query.view is not None:
        routed = sa.and_(A.queue == OPERATORS,
                         sa.or_(A.sector.is_(None), A.sector.in_(list(query.view.sectors))))
        mine = A.owner_id == query.view.user_id if query.view.user_id else sa.false()
        stmt = stmt.where(sa.or_(routed, mine))
    return stmt


InTransaction = Callable[[Connection, AlarmRow], object]
"""Runs inside a repository's write transaction with the alarm as written (the audit
record, the outbox of :mod:`kuzet.response.staging`)."""


class AlarmRepo:
    """Stores alarms and their history."""

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def open(self, row: AlarmRow, actor: Actor, details: dict[str, Any],
             also: InTransaction | None = None) -> bool:
        """Insert a new alarm and its ``open`` history row; False if it already exists.

        ``also`` runs in the same transaction with the new alarm (the audit record,
        the outbox).
        """
        history = AlarmHistoryRow(alarm_id=row.id, action=Action.OPEN.value, from_state=None,
                                  to_state=row.state, actor=actor.username,
                                  actor_id=actor.user_id, at=row.opened_at, reason=None,
                                  details=details)
        inserted = False
        try:
            with self._sessions.begin() as session:
                session.add(row)
                session.flush()  # an IntegrityError here: the alarm exists
                inserted = True
                session.add(history)
                if also is not None:
                    also(session.connection(), row)
        except IntegrityError:
            if inserted:
                raise
            return False
        return True

    def exists(self, alarm_id: str) -> bool:
        """True when the alarm is stored (a primary-key lookup)."""
        with self._sessions() as session:
            return session.scalar(sa.select(A.id).where(A.id == alarm_id)) is not None

    def get(self, alarm_id: str) -> AlarmRow:
        """One alarm.

        Raises:
            NotFoundError: Unknown id.
        """
        with self._sessions() as session:
            row = session.get(AlarmRow, alarm_id)
        if row is None:
            raise NotFoundError(f"no alarm {alarm_id!r}")
        return row

    def find(self, alarm_ids: Sequence[str]) -> list[AlarmRow]:
        """The alarms with these ids that exist, in queue order."""
        stmt = sa.select(AlarmRow).where(A.id.in_(list(alarm_ids))).order_by(*QUEUE_ORDER)
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def history(self, alarm_ids: Sequence[str]) -> list[AlarmHistoryRow]:
        """History rows of the alarms, oldest first."""
        h = AlarmHistoryRow
        stmt = sa.select(h).where(h.alarm_id.in_(list(alarm_ids))).order_by(h.at, h.id)
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def page(self, query: AlarmQuery) -> AlarmPage:
        """A page of alarms: unhandled first, then by priority, then oldest first.

        Raises:
            ValueError: Malformed cursor.
        """
        stmt = _filtered(query).order_by(*QUEUE_ORDER).limit(query.limit + 1)
        if query.cursor:
            stmt = stmt.where(after(QUEUE_ORDER, decode_cursor(query.cursor)))
        with self._sessions() as session:
            rows = list(session.scalars(stmt))
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        return AlarmPage(rows, encode_cursor(rows[-1]) if more else None)

    def apply(self, seen: AlarmRow, change: Change, actor: Actor, at: datetime,
              also: InTransaction | None = None) -> AlarmRow:
        """Write ``change`` if the alarm is still at the version ``seen`` was read at.

        ``also`` runs in the same transaction with the alarm as written (the audit
        record, the outbox).

        Raises:
            StaleError: Someone else changed the alarm first (nothing was written).
        """
        values = dict(change.values)
        values.update(state=change.to_state.value, queue_rank=QUEUE_RANK[change.to_state],
                      version=seen.version + 1, updated_at=at)
        stmt = (sa.update(AlarmRow).where(A.id == seen.id, A.version == seen.version)
                .values(**values).execution_options(synchronize_session=False))
        with self._sessions.begin() as session:
            if session.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
                raise StaleError(f"alarm {seen.id} was changed by someone else")
            session.add(AlarmHistoryRow(
                alarm_id=seen.id, action=change.action.value, from_state=seen.state,
                to_state=change.to_state.value, actor=actor.username, actor_id=actor.user_id,
                at=at, reason=change.reason, details=change.details))
            session.flush()
            written = session.get(AlarmRow, seen.id)  # read back inside the transaction
            if written is None:
                raise StaleError(f"alarm {seen.id} was deleted")
            if also is not None:
                also(session.connection(), written)
        return written

    def of_incident(self, incident_id: str) -> list[AlarmRow]:
        """Every alarm linked to the incident, in queue order."""
        stmt = sa.select(AlarmRow).where(A.incident_id == incident_id).order_by(*QUEUE_ORDER)
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def due(self, now: datetime, limit: int = 200) -> tuple[list[AlarmRow], list[AlarmRow]]:
        """(new alarms past their acknowledge limit, open alarms newly past their resolve limit)."""
        skip = (sa.select(AlarmRow).where(A.state == AlarmState.NEW.value, A.ack_due_at <= now)
                .order_by(A.ack_due_at).limit(limit))
        late = (sa.select(AlarmRow)
                .where(A.state != AlarmState.RESOLVED.value, A.resolve_due_at <= now,
                       A.resolve_breached_at.is_(None))
                .order_by(A.resolve_due_at).limit(limit))
        with self._sessions() as session:
            return list(session.scalars(skip)), list(session.scalars(late))

    def waiting_in(self, sector: str, owner_id: str) -> list[AlarmRow]:
        """Open alarms of ``sector`` that are new and nobody's (operators' queue), or
        owned by ``owner_id``, oldest first (what a shift's end re-routes)."""
        unowned = sa.and_(A.state == AlarmState.NEW.value, A.owner_id.is_(None),
                          A.queue == OPERATORS)
        owned = sa.and_(A.owner_id == owner_id, A.state != AlarmState.RESOLVED.value)
        stmt = (sa.select(AlarmRow).where(A.sector == sector, sa.or_(unowned, owned))
                .order_by(A.opened_at, A.id))
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def owned_counts(self, owner_ids: Sequence[str]) -> dict[str, int]:
        """Open alarms owned by each of ``owner_ids`` (absent = none)."""
        stmt = (sa.select(A.owner_id, sa.func.count())
                .where(A.owner_id.in_(list(owner_ids)), A.state != AlarmState.RESOLVED.value)
                .group_by(A.owner_id))
        with self._sessions() as session:
            return {str(owner): int(count) for owner, count in session.execute(stmt)}

    def recent_in(self, cameras: Sequence[str], kinds: Sequence[str],
                  since: datetime) -> list[AlarmRow]:
        """Alarms of ``cameras`` (and ``kinds``, if any) opened since ``since``, newest first."""
        stmt = sa.select(AlarmRow).where(A.camera_id.in_(list(cameras)), A.opened_at >= since)
        if kinds:
            stmt = stmt.where(A.kind.in_(list(kinds)))
        with self._sessions() as session:
            return list(session.scalars(stmt.order_by(A.opened_at.desc(), A.id)))
