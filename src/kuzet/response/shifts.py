"""Operator shifts (a dated rota) and routing of alarms to the sectors' operators.

A shift is one user on duty in one or more sectors from ``start_at`` to
``end_at`` (UTC in the store; entered and shown in the site's time zone). An
alarm carries its camera's sector; when nobody is on shift there at the
moment it opens, it goes straight to the supervisors' queue. With routing on,
an operator's queue holds only alarms of the sectors they are on shift in,
alarms of cameras in no sector, and alarms they own; they may act only on
those. Supervisors see and act on everything in their camera scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from kuzet.config.sectors import SectorConfig
from kuzet.response.actor import Actor
from kuzet.response.errors import ForbiddenError, InvalidError, NotFoundError
from kuzet.response.models import AlarmRow
from kuzet.store.models import Base, UserRow

MAX_SHIFT = timedelta(hours=24)
OPERATORS, SUPERVISORS = "operators", "supervisors"


class ShiftRow(Base):
    """One user on duty in some sectors for one period (migration ``r0015_integrations``)."""

    __tablename__ = "shifts"
    __table_args__ = (sa.Index("ix_shifts_end_start", "end_at", "start_at"),
                      sa.Index("ix_shifts_user_end", "user_id", "end_at"))

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(sa.String(128))
    sectors: Mapped[list[Any]]
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_by: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime]
    rerouted_at: Mapped[datetime | None]  # r0016: when the shift's end was handled


@dataclass(frozen=True, slots=True)
class NewShift:
    """A shift to add (times timezone-aware)."""

    user_id: str
    username: str
    sectors: tuple[str, ...]
    start_at: datetime
    end_at: datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """Where a new alarm goes: its sector, its queue, and why (for its history)."""

    sector: str | None
    queue: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class OperatorView:
    """What one operator's queue holds under routing (see :class:`Routing`)."""

    user_id: str | None
    sectors: tuple[str, ...]


class Routing:
    """Sectors (from the config) and shifts (in the store): who gets which alarm.

    Args:
        engine: The store.
        sectors: ``response.sectors``; empty = routing off (every operator sees all).
        camera_sector: Camera id -> sector id (see ``sector_of_cameras``).
        tz: The site's time zone (None = the machine's local zone).

    Example:
        >>> routing.route("gate_1", now)  # doctest: +SKIP
        Route(sector='north', queue='supervisors', reason='nobody on shift in sector north')
    """

    def __init__(self, engine: Engine, sectors: Mapping[str, SectorConfig] | None = None,
                 camera_sector: Mapping[str, str] | None = None, tz: tzinfo | None = None,
                 ) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.sectors = dict(sectors or {})
        self.camera_sector = dict(camera_sector or {})
        self.tz = tz

    @property
    def active(self) -> bool:
        """Whether sectors are configured."""
        return bool(self.sectors)

    def sector_of(self, camera_id: str) -> str | None:
        """The camera's sector, or None."""
        return self.camera_sector.get(camera_id)

    def route(self, camera_id: str, now: datetime) -> Route:
        """The sector and queue of a new alarm of ``camera_id`` opened at ``now``."""
        sector = self.sector_of(camera_id)
        if sector is None or self.on_duty([sector], now):
            return Route(sector, OPERATORS)
        return Route(sector, SUPERVISORS, f"nobody on shift in sector {sector}")

    def on_duty(self, sectors: Sequence[str], now: datetime) -> dict[str, list[str]]:
        """Sector -> usernames on shift at ``now`` (active users only), for ``sectors``."""
        found: dict[str, list[str]] = {}
        for shift in self._current(now):
            for sector in shift.sectors:
                if sector in sectors:
                    found.setdefault(sector, []).append(shift.username)
        return found

    def staff(self, sector: str, now: datetime) -> list[tuple[str, str]]:
        """(user id, username) of the active users on shift in ``sector`` at ``now``."""
        found = {(shift.user_id, shift.username) for shift in self._current(now)
                 if sector in shift.sectors}
        return sorted(found, key=lambda user: (user[1], user[0]))

    def ended(self, now: datetime, limit: int = 100) -> list[ShiftRow]:
        """Shifts ended at or before ``now`` whose end was not handled yet, oldest first."""
        s = ShiftRow
        stmt = (sa.select(s).where(s.end_at <= now, s.rerouted_at.is_(None))
                .order_by(s.end_at, s.id).limit(limit))
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def claim(self, shift_id: str, now: datetime) -> bool:
        """Mark a shift's end handled; False when another run (or process) did first."""
        stmt = (sa.update(ShiftRow)
                .where(ShiftRow.id == shift_id, ShiftRow.rerouted_at.is_(None))
                .values(rerouted_at=now).execution_options(synchronize_session=False))
        with self._sessions.begin() as session:
            return bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]

    def view(self, actor: Actor, now: datetime) -> OperatorView | None:
        """The routing filter of ``actor``'s queue; None = sees everything (off, supervisor)."""
        if not self.active or actor.supervisor:
            return None
        mine = sorted({s for shift in self._current(now, actor.user_id) for s in shift.sectors})
        return OperatorView(actor.user_id, tuple(mine))

    def check(self, row: AlarmRow, actor: Actor, now: datetime) -> None:
        """Refuse an operator's action on an alarm routed to someone else.

        Raises:
            ForbiddenError: The alarm is in the supervisors' queue, or in a sector
                the operator is not on shift in (their own alarms, and alarms
                dispatched to a unit they are on duty in, are always theirs).
        """
        view = self.view(actor, now)
        if view is None or (row.owner_id is not None and row.owner_id == actor.user_id):
            return
        if row.unit is not None and row.unit in actor.units:
            return  # dispatched to the actor's unit: theirs, whatever the sector
        if row.queue == SUPERVISORS:
            raise ForbiddenError(f"alarm {row.id} is in the supervisors' queue; a supervisor "
                                 "takes it or assigns it")
        if row.sector is not None and row.sector not in view.sectors:
            raise ForbiddenError(f"alarm {row.id} is in sector {row.sector}; you are not on "
                                 "shift there")

    def _current(self, now: datetime, user_id: str | None = None) -> list[ShiftRow]:
        s, u = ShiftRow, UserRow
        stmt = (sa.select(s).join(u, u.id == s.user_id)
                .where(s.start_at <= now, s.end_at > now, u.disabled.is_(False)))
        if user_id is not None:
            stmt = stmt.where(s.user_id == user_id)
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def local(self, when: datetime) -> datetime:
        """An aware time in the site's zone; a naive one is read as site wall-clock time."""
        if when.tzinfo is None:
            return when.replace(tzinfo=self.tz) if self.tz is not None else when.astimezone()
        return when.astimezone(self.tz)

    def add(self, new: NewShift, actor: Actor, now: datetime) -> ShiftRow:
        """Store a shift.

        Raises:
            InvalidError: Unknown sector, end not after start, or longer than 24 h.
        """
        unknown = sorted(set(new.sectors) - set(self.sectors))
        if unknown or not new.sectors:
            raise InvalidError(f"unknown sectors {unknown or '[]'}; configured: "
                               f"{sorted(self.sectors)}")
        if not new.start_at < new.end_at <= new.start_at + MAX_SHIFT:
            raise InvalidError("a shift ends after it starts and lasts at most 24 hours")
        row = ShiftRow(id=uuid.uuid4().hex, user_id=new.user_id, username=new.username,
                       sectors=list(new.sectors), start_at=new.start_at, end_at=new.end_at,
                       note=new.note, created_by=actor.username, created_at=now)
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def remove(self, shift_id: str) -> ShiftRow:
        """Delete a shift; returns it.

        Raises:
            NotFoundError: Unknown id.
        """
        with self._sessions.begin() as session:
            row = session.get(ShiftRow, shift_id)
            if row is None:
                raise NotFoundError(f"no shift {shift_id!r}")
            session.delete(row)
        return row

    def list(self, start: datetime, end: datetime, user_id: str | None = None,
             sector: str | None = None) -> list[ShiftRow]:
        """Shifts overlapping ``[start, end)``, by start time."""
        s = ShiftRow
        stmt = sa.select(s).where(s.start_at < end, s.end_at > start).order_by(s.start_at, s.id)
        if user_id is not None:
            stmt = stmt.where(s.user_id == user_id)
        with self._sessions() as session:
            rows = list(session.scalars(stmt.limit(2000)))
        return [r for r in rows if sector is None or sector in r.sectors]
