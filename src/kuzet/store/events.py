"""Event repository: upsert by id, filtered listing with keyset pagination."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kuzet.core.types import Event, EventPhase
from kuzet.store.codec import to_jsonable
from kuzet.store.models import EventRow

MAX_LIMIT = 500
Status = Literal["open", "closed"]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as stored: its latest state, with ``status`` instead of a phase."""

    id: str
    camera_id: str
    kind: str
    rule_id: str
    severity: str
    status: Status
    started_at: datetime
    ended_at: datetime | None
    updated_at: datetime
    track_ids: list[int]
    labels: list[str]
    attrs: dict[str, Any]
    snapshot_key: str | None
    snapshot_sha256: str | None
    frame_ts: float


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Filters for :meth:`EventRepo.list`; empty lists mean "any".

    Attributes:
        cameras: Camera ids to include.
        kinds: Event kinds to include.
        since: Only events that started at or after this time.
        until: Only events that started before this time.
        status: ``open`` or ``closed``; None for both.
        limit: Page size, 1..500.
        before_cursor: Cursor from a previous page (``next_cursor``).
    """

    cameras: Sequence[str] = ()
    kinds: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None
    status: Status | None = None
    limit: int = 50
    before_cursor: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be in 1..{MAX_LIMIT}, got {self.limit}")


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of events, newest first; ``next_cursor`` is None on the last page."""

    items: list[StoredEvent] = field(default_factory=list)
    next_cursor: str | None = None


def encode_cursor(started_at: datetime, event_id: str) -> str:
    """Opaque cursor for the keyset position (started_at, id)."""
    raw = f"{started_at.astimezone(UTC).isoformat()}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Inverse of :func:`encode_cursor`.

    Raises:
        ValueError: If the cursor is malformed.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, event_id = raw.split("|", 1)
        when = datetime.fromisoformat(stamp)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"invalid cursor {cursor!r}") from error
    if when.tzinfo is None or not event_id:
        raise ValueError(f"invalid cursor {cursor!r}")
    return when, event_id


SNAPSHOT_FACTS = "snapshot_facts"
"""``attrs`` key of what the event showed when its snapshot was taken."""


def _facts(event: Event) -> dict[str, Any]:
    # Later updates change track_ids, labels and counts; the snapshot keeps its own.
    facts: dict[str, Any] = {
        "track_ids": [int(t) for t in event.track_ids],
        "labels": [str(label) for label in event.labels],
        "frame_ts": float(event.frame_ts),
    }
    if "count" in event.attrs:
        facts["count"] = to_jsonable(event.attrs["count"])
    return facts


def _apply(row: EventRow, event: Event, now: datetime) -> None:
    row.camera_id = event.camera_id
    row.kind = str(event.kind)
    row.rule_id = event.rule_id
    row.severity = str(event.severity)
    row.status = "closed" if event.phase is EventPhase.CLOSE else "open"
    row.started_at = event.started_at
    row.ended_at = event.ended_at
    row.updated_at = now
    row.track_ids = [int(t) for t in event.track_ids]
    row.labels = [str(label) for label in event.labels]
    attrs = to_jsonable(event.attrs)
    before = row.attrs.get(SNAPSHOT_FACTS) if isinstance(row.attrs, dict) else None
    key = event.evidence.snapshot_key
    if key is not None and (key != row.snapshot_key or before is None):
        before = _facts(event)  # the update that brings a snapshot: its facts stay with it
    if key is not None:  # updates without evidence keep the snapshot
        row.snapshot_key = key
        row.snapshot_sha256 = event.evidence.snapshot_sha256
    if before is not None:
        attrs[SNAPSHOT_FACTS] = before
    row.attrs = attrs
    row.frame_ts = float(event.frame_ts)


def _to_stored(row: EventRow) -> StoredEvent:
    return StoredEvent(
        id=row.id,
        camera_id=row.camera_id,
        kind=row.kind,
        rule_id=row.rule_id,
        severity=row.severity,
        status="closed" if row.status == "closed" else "open",
        started_at=row.started_at,
        ended_at=row.ended_at,
        updated_at=row.updated_at,
        track_ids=list(row.track_ids),
        labels=list(row.labels),
        attrs=dict(row.attrs),
        snapshot_key=row.snapshot_key,
        snapshot_sha256=row.snapshot_sha256,
        frame_ts=row.frame_ts,
    )


def _filters(query: EventQuery) -> list[sa.ColumnElement[bool]]:
    conds: list[sa.ColumnElement[bool]] = []
    if query.cameras:
        conds.append(EventRow.camera_id.in_(list(query.cameras)))
    if query.kinds:
        conds.append(EventRow.kind.in_([str(k) for k in query.kinds]))
    if query.since is not None:
        conds.append(EventRow.started_at >= query.since)
    if query.until is not None:
        conds.append(EventRow.started_at < query.until)
    if query.status is not None:
        conds.append(EventRow.status == query.status)
    return conds


class EventRepo:
    """Reads and writes events; safe to use from several threads.

    Example:
        >>> repo = store.events  # doctest: +SKIP
        >>> repo.upsert(event)  # doctest: +SKIP
        >>> repo.list(EventQuery(cameras=["gate"], limit=20)).items  # doctest: +SKIP
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def upsert(self, event: Event) -> None:
        """Insert or update the event's row by id (any phase may arrive first)."""
        try:
            self._upsert_once(event)
        except IntegrityError:  # another writer inserted the same id concurrently
            self._upsert_once(event)

    def _upsert_once(self, event: Event) -> None:
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            row = session.get(EventRow, event.id)
            if row is None:
                row = EventRow(id=event.id)
                session.add(row)
            elif row.status == "closed" and event.phase is not EventPhase.CLOSE:
                return  # closed is final: a stale update (e.g. replayed from the outbox)
            _apply(row, event, now)

    def held_ids(self) -> set[str]:
        """Ids of events under legal hold (their media are never purged)."""
        with self._sessions() as session:
            return set(session.scalars(sa.select(EventRow.id).where(EventRow.legal_hold)))

    def forget_snapshots(self, keys: Sequence[str]) -> int:
        """Clear ``snapshot_key`` of events whose snapshot file was purged; returns rows.

        ``snapshot_sha256`` stays, as a record of what was there.
        """
        if not keys:
            return 0
        stmt = (
            sa.update(EventRow).where(EventRow.snapshot_key.in_(list(keys)))
            .values(snapshot_key=None)
        )  # fmt: skip
        with self._sessions.begin() as session:
            return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def get(self, event_id: str) -> StoredEvent | None:
        """The stored event with this id, or None."""
        with self._sessions() as session:
            row = session.get(EventRow, event_id)
            return None if row is None else _to_stored(row)

    def list(self, query: EventQuery) -> EventPage:
        """Events matching ``query``, newest first (by start time, then id).

        Raises:
            ValueError: If ``query.before_cursor`` is malformed.
        """
        conds = _filters(query)
        if query.before_cursor:
            when, event_id = decode_cursor(query.before_cursor)
            conds.append(
                sa.or_(
                    EventRow.started_at < when,
                    sa.and_(EventRow.started_at == when, EventRow.id < event_id),
                )
            )
        stmt = (
            sa.select(EventRow)
            .where(*conds)
            .order_by(EventRow.started_at.desc(), EventRow.id.desc())
            .limit(query.limit + 1)
        )
        with self._sessions() as session:
            rows = [_to_stored(r) for r in session.scalars(stmt)]
        items = rows[: query.limit]
        more = len(rows) > query.limit
        cursor = encode_cursor(items[-1].started_at, items[-1].id) if more else None
        return EventPage(items=items, next_cursor=cursor)

    def count(self, query: EventQuery) -> int:
        """Number of events matching the filters of ``query`` (limit and cursor ignored)."""
        stmt = sa.select(sa.func.count()).select_from(EventRow).where(*_filters(query))
        with self._sessions() as session:
            return int(session.scalar(stmt) or 0)

    def close_at_shutdown(self, reason: str, since: datetime) -> int:
        """Note why events ended when the system stops; close any left open.

        Every event closed at or after ``since`` (by its camera, as it stopped)
        and every event still open gets ``attrs.closed_reason = reason``; the
        open ones are closed now (``ended_at`` no earlier than ``started_at``).

        Returns:
            How many events were still open and closed here.
        """
        now = datetime.now(UTC)
        closed_now = 0
        stopping = sa.or_(
            EventRow.status == "open",
            sa.and_(EventRow.status == "closed", EventRow.updated_at >= since),
        )
        with self._sessions.begin() as session:
            for row in session.scalars(sa.select(EventRow).where(stopping)):
                if row.status == "open":
                    row.status = "closed"
                    row.ended_at = max(now, row.started_at)
                    closed_now += 1
                row.attrs = {**row.attrs, "closed_reason": reason}
                row.updated_at = now
        return closed_now

