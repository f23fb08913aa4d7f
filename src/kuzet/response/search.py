"""History search over alarms: time range, cameras, kinds, states, verdicts, plate, comment text.

Newest first, in keyset pages on ``(opened_at, id)``. Comment text matches the
alarm's own history (comments and every reason given) and the comments of the
incident it belongs to. The plate is the ``plate`` attribute a hotlist alarm
carries (``*`` is a wildcard).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.response.alarms import MAX_LIMIT, AlarmPage, decode_keys, encode_keys
from kuzet.response.models import AlarmHistoryRow, AlarmRow, IncidentHistoryRow

A = AlarmRow


@dataclass(frozen=True, slots=True)
class AlarmSearch:
    """Filters of :func:`search`; empty lists mean "any".

    Attributes:
        since: Opened at or after (UTC).
        until: Opened before (UTC).
        cameras: Camera ids; None = every camera, ``[]`` = none.
        kinds: Event kinds.
        states: Alarm states.
        verdicts: Verdicts of resolved alarms.
        priorities: Priorities.
        plate: Plate text (case-insensitive; ``*`` matches any run of characters).
        text: Words in comments and reasons (case-insensitive substring).
        limit: Page size, 1..500.
        cursor: ``next_cursor`` of the previous page.
    """

    since: datetime | None = None
    until: datetime | None = None
    cameras: Sequence[str] | None = None
    kinds: Sequence[str] = ()
    states: Sequence[str] = ()
    verdicts: Sequence[str] = ()
    priorities: Sequence[str] = ()
    plate: str | None = None
    text: str | None = None
    limit: int = 50
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be in 1..{MAX_LIMIT}, got {self.limit}")


def _like(text: str, wildcard: bool = False) -> str:
    """A LIKE pattern for ``text`` (``\\`` escapes; ``*`` becomes ``%`` if ``wildcard``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%") if wildcard else f"%{escaped}%"


def _text_filter(text: str) -> sa.ColumnElement[bool]:
    pattern = _like(text.lower())
    h, ih = AlarmHistoryRow, IncidentHistoryRow
    own = sa.select(h.id).where(h.alarm_id == A.id,
                                sa.func.lower(h.reason).like(pattern, escape="\\"))
    incident = sa.select(ih.id).where(ih.incident_id == A.incident_id,
                                      ih.action == "comment",
                                      sa.func.lower(ih.text).like(pattern, escape="\\"))
    return sa.or_(sa.exists(own), sa.exists(incident))


def _statement(query: AlarmSearch) -> sa.Select[AlarmRow]:
    stmt = sa.select(AlarmRow)
    lists = ((A.kind, query.kinds), (A.state, query.states), (A.verdict, query.verdicts),
             (A.priority, query.priorities))
    for column, wanted in lists:
        if wanted:
            stmt = stmt.where(column.in_(list(wanted)))
    if query.cameras is not None:
        stmt = stmt.where(A.camera_id.in_(list(query.cameras)))
    if query.since is not None:
        stmt = stmt.where(A.opened_at >= query.since)
    if query.until is not None:
        stmt = stmt.where(A.opened_at < query.until)
    if query.plate:
        plate = sa.func.upper(A.attrs["plate"].as_string())
        stmt = stmt.where(plate.like(_like(query.plate.upper(), wildcard=True), escape="\\"))
    if query.text:
        stmt = stmt.where(_text_filter(query.text))
    return stmt


class AlarmSearcher:
    """Runs :class:`AlarmSearch` queries on one database."""

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def page(self, query: AlarmSearch) -> AlarmPage:
        """One page, newest first.

        Raises:
            ValueError: Malformed cursor.
        """
        stmt = _statement(query).order_by(A.opened_at.desc(), A.id.desc()).limit(query.limit + 1)
        if query.cursor:
            opened, alarm_id = decode_keys(query.cursor, 2)
            try:
                at = datetime.fromisoformat(str(opened))
            except ValueError as error:
                raise ValueError(f"invalid cursor {query.cursor!r}") from error
            stmt = stmt.where(sa.or_(A.opened_at < at,
                                     sa.and_(A.opened_at == at, A.id < str(alarm_id))))
        with self._sessions() as session:
            rows = list(session.scalars(stmt))
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        cursor = encode_keys([rows[-1].opened_at.isoformat(), rows[-1].id]) if more else None
        return AlarmPage(rows, cursor)

    def all(self, query: AlarmSearch, cap: int) -> Iterator[AlarmRow]:
        """Every match (at most ``cap``), newest first, read page by page."""
        query = replace(query, limit=MAX_LIMIT, cursor=None)
        sent = 0
        while sent < cap:
            page = self.page(query)
            for row in page.items[: cap - sent]:
                yield row
                sent += 1
            if page.next_cursor is None:
                return
            query = replace(query, cursor=page.next_cursor)
