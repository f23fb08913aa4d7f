"""Supervisor notices: things a supervisor must see (a skipped procedure step ...).

A notice is written when it happens, listed newest first at ``GET /api/notices``
(open ones only, by default) and stays until a supervisor acknowledges it. A
user sees the notices of the incidents they may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.response.actor import Actor
from kuzet.response.alarms import MAX_LIMIT, decode_keys, encode_keys
from kuzet.response.errors import ConflictError, NotFoundError
from kuzet.response.incidents import in_scope
from kuzet.response.models import AlarmRow, IncidentRow
from kuzet.response.sop_models import NoticeRow

N = NoticeRow
STEP_SKIPPED = "step_skipped"
ALARM_REROUTED = "alarm_rerouted"  # a shift ended; its alarm went to others (shift_end)


@dataclass(frozen=True, slots=True)
class NoticeQuery:
    """Filters of :meth:`NoticeRepo.page`.

    Attributes:
        open_only: Only notices nobody acknowledged yet.
        incident_id: Only the notices of this incident.
        cameras: Scope (see :func:`kuzet.response.incidents.in_scope`); None = all.
        limit: Page size, 1..500.
        cursor: ``next_cursor`` of the previous page.
    """

    open_only: bool = True
    incident_id: str | None = None
    cameras: Sequence[str] | None = None
    limit: int = 50
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be in 1..{MAX_LIMIT}, got {self.limit}")


@dataclass(frozen=True, slots=True)
class NoticePage:
    """A page of notices, newest first."""

    items: list[NoticeRow] = field(default_factory=list)
    next_cursor: str | None = None


def notice_json(row: NoticeRow) -> dict[str, Any]:
    """A notice as JSON (times in UTC)."""
    return {
        "id": row.id, "kind": row.kind, "incident_id": row.incident_id,
        "alarm_id": row.alarm_id, "text": row.text, "details": row.details,
        "actor": row.actor, "at": row.at.isoformat(), "acknowledged_by": row.acknowledged_by,
        "acknowledged_at": row.acknowledged_at.isoformat() if row.acknowledged_at else None,
    }  # fmt: skip


def _in_scope(cameras: Sequence[str]) -> sa.ColumnElement[bool]:
    """A notice about an alarm: its camera is in ``cameras``; else its incident is in scope."""
    alarm = sa.exists(sa.select(AlarmRow.id).where(AlarmRow.id == N.alarm_id,
                                                   AlarmRow.camera_id.in_(list(cameras))))
    incident = sa.exists(sa.select(IncidentRow.id).where(IncidentRow.id == N.incident_id,
                                                         in_scope(cameras)))
    return sa.or_(sa.and_(N.alarm_id.is_not(None), alarm),
                  sa.and_(N.alarm_id.is_(None), incident))


class NoticeRepo:
    """Stores supervisor notices."""

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def add(self, kind: str, incident_id: str | None, text: str, details: dict[str, Any],  # noqa: PLR0913
            actor: Actor, at: datetime, alarm_id: str | None = None) -> NoticeRow:
        """Store a new open notice (about an incident, or an alarm: ``alarm_id``)."""
        row = NoticeRow(kind=kind, incident_id=incident_id, alarm_id=alarm_id, text=text,
                        details=details, actor=actor.username, actor_id=actor.user_id, at=at,
                        acknowledged_by=None, acknowledged_at=None)
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def get(self, notice_id: int) -> NoticeRow:
        """One notice.

        Raises:
            NotFoundError: Unknown id.
        """
        with self._sessions() as session:
            row = session.get(NoticeRow, notice_id)
        if row is None:
            raise NotFoundError(f"no notice {notice_id}")
        return row

    def page(self, query: NoticeQuery) -> NoticePage:
        """Notices, newest first (keyset pages).

        Raises:
            ValueError: Malformed cursor.
        """
        stmt = sa.select(NoticeRow).order_by(N.at.desc(), N.id.desc()).limit(query.limit + 1)
        if query.open_only:
            stmt = stmt.where(N.acknowledged_at.is_(None))
        if query.incident_id is not None:
            stmt = stmt.where(N.incident_id == query.incident_id)
        if query.cameras is not None:
            stmt = stmt.where(_in_scope(query.cameras))
        if query.cursor:
            at, notice_id = decode_keys(query.cursor, 2)
            try:
                when, key = datetime.fromisoformat(str(at)), int(notice_id)
            except (TypeError, ValueError) as error:
                raise ValueError(f"invalid cursor {query.cursor!r}") from error
            stmt = stmt.where(sa.or_(N.at < when, sa.and_(N.at == when, N.id < key)))
        with self._sessions() as session:
            rows = list(session.scalars(stmt))
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        cursor = encode_keys([rows[-1].at.isoformat(), rows[-1].id]) if more else None
        return NoticePage(rows, cursor)

    def acknowledge(self, notice_id: int, actor: Actor, at: datetime) -> NoticeRow:
        """Mark a notice seen by ``actor`` (once; a second acknowledgement is a conflict).

        Raises:
            NotFoundError: Unknown id.
            ConflictError: Already acknowledged (the message names by whom).
        """
        stmt = (sa.update(NoticeRow)
                .where(N.id == notice_id, N.acknowledged_at.is_(None))
                .values(acknowledged_by=actor.username, acknowledged_at=at)
                .execution_options(synchronize_session=False))
        with self._sessions.begin() as session:
            changed = session.execute(stmt).rowcount  # type: ignore[attr-defined]
        row = self.get(notice_id)
        if changed != 1:
            raise ConflictError(f"notice {notice_id} was already acknowledged by "
                                f"{row.acknowledged_by} at {row.acknowledged_at}")
        return row
