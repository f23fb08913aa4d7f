"""Incident repository: create, read, list (newest first, keyset pages), compare-and-set updates.

An incident's camera scope comes from the alarms ever linked to it (its history
rows name their cameras): a user sees an incident when one of those cameras is
in scope, or when no alarm was ever linked (a phone call or a patrol report
entered by hand). Unlinking an alarm does not make an incident public.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.config.response import Priority
from kuzet.response.actor import Actor
from kuzet.response.alarms import MAX_LIMIT, StaleError, decode_keys, encode_keys
from kuzet.response.errors import NotFoundError
from kuzet.response.models import IncidentHistoryRow, IncidentRow

I = IncidentRow  # noqa: E741 - the table, as in alarms.A
Written = Callable[[Connection, IncidentRow], object]
"""Runs inside an incident's write transaction with the incident as written (the outbox)."""


class IncidentState(StrEnum):
    """``open`` until closed, or ``merged`` into another incident."""

    OPEN = "open"
    CLOSED = "closed"
    MERGED = "merged"


class IncidentAction(StrEnum):
    """Things that happen to an incident (its history rows)."""

    CREATE = "create"
    UPDATE = "update"
    LINK = "link"
    UNLINK = "unlink"
    MERGE = "merge"
    COMMENT = "comment"
    CLOSE = "close"
    PROCEDURE = "procedure"  # the procedure (and version) the incident follows
    STEP_DONE = "step_done"
    STEP_SKIP = "step_skip"
    PHOTO = "photo"  # a photo from the field attached as evidence (field app)


@dataclass(frozen=True, slots=True)
class NewIncident:
    """A new incident; ``source`` is ``manual`` or ``correlation`` (then ``rule`` names it)."""

    type: str
    priority: Priority
    description: str = ""
    location: str | None = None
    lat: float | None = None
    lon: float | None = None
    source: str = "manual"
    rule: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """One incident history row to add with an update."""

    action: IncidentAction
    text: str | None = None
    alarm_id: str | None = None
    camera_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IncidentQuery:
    """Filters of :meth:`IncidentRepo.page`; ``cameras`` None = every incident.

    ``sectors``: incidents whose sector is one of these (empty = any).
    """

    states: Sequence[str] = ()
    priorities: Sequence[str] = ()
    cameras: Sequence[str] | None = None
    sectors: Sequence[str] = ()
    limit: int = 50
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be in 1..{MAX_LIMIT}, got {self.limit}")


@dataclass(frozen=True, slots=True)
class IncidentPage:
    """A page of incidents, newest first."""

    items: list[IncidentRow] = field(default_factory=list)
    next_cursor: str | None = None


def in_scope(cameras: Sequence[str]) -> sa.ColumnElement[bool]:
    """Incidents that ever held an alarm of one of ``cameras``, or never held any alarm."""
    h = IncidentHistoryRow
    linked = sa.select(h.id).where(h.incident_id == I.id, h.camera_id.is_not(None))
    return sa.or_(sa.exists(linked.where(h.camera_id.in_(list(cameras)))), ~sa.exists(linked))


class IncidentRepo:
    """Stores incidents and their history."""

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def create(self, new: NewIncident, actor: Actor, at: datetime,
               also: Written | None = None) -> IncidentRow:
        """Store a new open incident and its ``create`` history row (``also`` in the
        same transaction)."""
        row = IncidentRow(
            id=new.id or uuid.uuid4().hex, type=new.type, priority=new.priority.value,
            state=IncidentState.OPEN.value, owner=None, description=new.description,
            location=new.location, lat=new.lat, lon=new.lon, cameras=[], sector=None,
            source=new.source,
            rule=new.rule, merged_into=None, created_by=actor.username, opened_at=at,
            updated_at=at, closed_at=None, last_alarm_at=None, version=1,
        )  # fmt: skip
        note = Note(IncidentAction.CREATE, new.description or None,
                    details={"type": new.type, "priority": new.priority.value,
                             "source": new.source, "rule": new.rule})
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            session.add(self._history(row.id, note, actor, at))
            if also is not None:
                also(session.connection(), row)
        return row

    @staticmethod
    def _history(incident_id: str, note: Note, actor: Actor, at: datetime) -> IncidentHistoryRow:
        return IncidentHistoryRow(incident_id=incident_id, action=note.action.value,
                                  actor=actor.username, actor_id=actor.user_id, at=at,
                                  text=note.text, alarm_id=note.alarm_id,
                                  camera_id=note.camera_id, details=note.details)

    def get(self, incident_id: str) -> IncidentRow:
        """One incident.

        Raises:
            NotFoundError: Unknown id.
        """
        with self._sessions() as session:
            row = session.get(IncidentRow, incident_id)
        if row is None:
            raise NotFoundError(f"no incident {incident_id!r}")
        return row

    def visible(self, incident_id: str, cameras: Sequence[str]) -> bool:
        """True when a user scoped to ``cameras`` may see the incident."""
        stmt = sa.select(I.id).where(I.id == incident_id, in_scope(cameras))
        with self._sessions() as session:
            return session.scalar(stmt) is not None

    def history(self, incident_id: str) -> list[IncidentHistoryRow]:
        """History rows, oldest first."""
        h = IncidentHistoryRow
        stmt = sa.select(h).where(h.incident_id == incident_id).order_by(h.at, h.id)
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def page(self, query: IncidentQuery) -> IncidentPage:
        """A page of incidents, newest first.

        Raises:
            ValueError: Malformed cursor.
        """
        order = (I.opened_at.desc(), I.id.desc())
        stmt = sa.select(IncidentRow).order_by(*order).limit(query.limit + 1)
        if query.states:
            stmt = stmt.where(I.state.in_(list(query.states)))
        if query.priorities:
            stmt = stmt.where(I.priority.in_(list(query.priorities)))
        if query.sectors:
            stmt = stmt.where(I.sector.in_(list(query.sectors)))
        if query.cameras is not None:
            stmt = stmt.where(in_scope(query.cameras))
        if query.cursor:
            opened, incident_id = decode_keys(query.cursor, 2)
            stmt = stmt.where(_before(datetime.fromisoformat(str(opened)), str(incident_id)))
        with self._sessions() as session:
            rows = list(session.scalars(stmt))
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        cursor = encode_keys([rows[-1].opened_at.isoformat(), rows[-1].id]) if more else None
        return IncidentPage(rows, cursor)

    def open_ids(self, incident_ids: Sequence[str]) -> set[str]:
        """Which of these incidents are open."""
        stmt = sa.select(I.id).where(I.id.in_(list(incident_ids)),
                                     I.state == IncidentState.OPEN.value)
        with self._sessions() as session:
            return set(session.scalars(stmt))

    def update(self, seen: IncidentRow, values: dict[str, Any], notes: Sequence[Note],
               actor: Actor, at: datetime, also: Written | None = None) -> IncidentRow:
        """Write ``values`` and ``notes`` if the incident is still at ``seen.version``.

        ``also`` runs in the same transaction with the incident as written (the outbox).

        Raises:
            StaleError: Someone else changed it first (nothing was written).
        """
        stmt = (sa.update(IncidentRow).where(I.id == seen.id, I.version == seen.version)
                .values(**values, version=seen.version + 1, updated_at=at)
                .execution_options(synchronize_session=False))
        with self._sessions.begin() as session:
            if session.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
                raise StaleError(f"incident {seen.id} was changed by someone else")
            session.add_all([self._history(seen.id, n, actor, at) for n in notes])
            session.flush()
            written = session.get(IncidentRow, seen.id)  # read back inside the transaction
            if written is None:
                raise StaleError(f"incident {seen.id} was deleted")
            if also is not None:
                also(session.connection(), written)
        return written


def _before(opened: datetime, incident_id: str) -> sa.ColumnElement[bool]:
    """Rows after the cursor in newest-first order."""
    return sa.or_(I.opened_at < opened, sa.and_(I.opened_at == opened, I.id < incident_id))
