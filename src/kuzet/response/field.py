"""The field officer's side of dispatch: duty in a unit, assignments, positions, photos.

An operator dispatches an alarm to a unit by its call sign (``dispatch`` with
``unit``). A field officer starts duty in a unit from the field app; while on
duty, the alarms dispatched to that unit are theirs to ``accept``, mark
``en_route`` and ``on_scene`` and ``resolve`` (:attr:`Move.unit_may`), whoever
owns them. On duty they may share their position (kept ``retention.field_positions``
days) and attach photos to their alarms as evidence.

Example:
    >>> desk = FieldDesk(engine, service.clock)  # doctest: +SKIP
    >>> desk.start_duty("u-dan", "dan", "P-12")  # doctest: +SKIP
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.response.errors import InvalidError, NotFoundError
from kuzet.response.field_models import DutyRow, FieldPhotoRow, PositionRow
from kuzet.response.models import AlarmHistoryRow, AlarmRow
from kuzet.response.states import Action, AlarmState

UNIT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,31}$")
RECENTLY_RESOLVED = timedelta(hours=12)  # resolved alarms stay on the officer's list this long
MAX_ASSIGNMENTS = 200
# What the unit last did about an alarm, from its history after the latest dispatch.
PROGRESS = (Action.DISPATCH.value, Action.ACCEPT.value, Action.EN_ROUTE.value)

Clock = Callable[[], datetime]


def check_unit(unit: str) -> str:
    """A call sign, stripped; 1-32 letters, digits, space, ``_ . -``, starting alphanumeric.

    Raises:
        InvalidError: Anything else.
    """
    value = unit.strip()
    if not UNIT_RE.match(value):
        raise InvalidError(f"unit call sign {unit!r}: 1-32 letters, digits, spaces or _ . -, "
                           "starting with a letter or digit")
    return value


@dataclass(frozen=True, slots=True)
class NewPhoto:
    """A checked, re-encoded photo to store (see ``api.routers.field_photos``)."""

    alarm: AlarmRow
    jpeg: bytes
    upload_sha256: str
    upload_type: str
    width: int
    height: int
    unit: str | None
    note: str | None
    username: str


@dataclass
class Assignments:
    """The alarms dispatched to some units, and how far each unit got with each."""

    alarms: list[AlarmRow] = field(default_factory=list)
    progress: dict[str, str] = field(default_factory=dict)


class FieldDesk:
    """Duty, assignments, positions and photos on one store.

    Args:
        engine: The store.
        clock: The response service's clock (UTC).
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock

    def duty_of(self, user_id: str | None) -> DutyRow | None:
        """The user's current duty, or None when off duty."""
        if user_id is None:
            return None
        d = DutyRow
        stmt = (sa.select(d).where(d.user_id == user_id, d.ended_at.is_(None))
                .order_by(d.started_at.desc()).limit(1))
        with self._sessions() as session:
            return session.scalars(stmt).first()

    def start_duty(self, user_id: str, username: str, unit: str) -> tuple[DutyRow, DutyRow | None]:
        """Go on duty in ``unit`` (ending any current duty first).

        Returns:
            (the new duty, the one it ended or None).

        Raises:
            InvalidError: A malformed call sign.
        """
        unit = check_unit(unit)
        now = self.clock()
        ended = self.end_duty(user_id)
        row = DutyRow(id=uuid.uuid4().hex, user_id=user_id, username=username, unit=unit,
                      started_at=now, ended_at=None)
        with self._sessions.begin() as session:
            session.add(row)
        return row, ended

    def end_duty(self, user_id: str) -> DutyRow | None:
        """End the user's duty; returns it, or None when they were off duty."""
        row = self.duty_of(user_id)
        if row is None:
            return None
        now = self.clock()
        with self._sessions.begin() as session:
            session.execute(sa.update(DutyRow).where(DutyRow.id == row.id)
                            .values(ended_at=now))
        row.ended_at = now
        return row

    def on_duty(self) -> list[DutyRow]:
        """Everyone on duty now, by unit then start."""
        d = DutyRow
        stmt = sa.select(d).where(d.ended_at.is_(None)).order_by(d.unit, d.started_at)
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def assignments(self, units: Sequence[str], cameras: Sequence[str] | None) -> Assignments:
        """Open alarms dispatched to ``units`` (and those resolved in the last 12 h).

        Args:
            units: Call signs.
            cameras: The caller's camera scope; None = every camera.
        """
        a = AlarmRow
        since = self.clock() - RECENTLY_RESOLVED
        stmt = sa.select(a).where(a.unit.in_(list(units)),
                                  sa.or_(a.state != AlarmState.RESOLVED.value,
                                         a.resolved_at >= since))
        if cameras is not None:
            stmt = stmt.where(a.camera_id.in_(list(cameras)))
        stmt = stmt.order_by(a.queue_rank, a.priority_rank, a.opened_at, a.id)
        with self._sessions() as session:
            rows = list(session.scalars(stmt.limit(MAX_ASSIGNMENTS)))
        return Assignments(rows, self._progress([r.id for r in rows]))

    def _progress(self, alarm_ids: Sequence[str]) -> dict[str, str]:
        if not alarm_ids:
            return {}
        h = AlarmHistoryRow
        stmt = (sa.select(h.alarm_id, h.action)
                .where(h.alarm_id.in_(list(alarm_ids)), h.action.in_(PROGRESS))
                .order_by(h.alarm_id, h.at, h.id))
        latest: dict[str, str] = {}
        with self._sessions() as session:
            for alarm_id, action in session.execute(stmt):
                latest[alarm_id] = "dispatched" if action == Action.DISPATCH.value else action
        return latest

    def add_position(self, duty: DutyRow, lat: float, lon: float,
                     accuracy_m: float | None) -> PositionRow:
        """Store a position of an officer on duty (ranges are checked by the caller too).

        Raises:
            InvalidError: Latitude outside -90..90 or longitude outside -180..180.
        """
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise InvalidError(f"position ({lat}, {lon}) is outside -90..90, -180..180")
        row = PositionRow(user_id=duty.user_id, username=duty.username, unit=duty.unit,
                          lat=lat, lon=lon, accuracy_m=accuracy_m, at=self.clock())
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def last_positions(self) -> list[PositionRow]:
        """Each unit's last known position, by unit."""
        p = PositionRow
        latest = (sa.select(p.unit, sa.func.max(p.id).label("last_id"))
                  .group_by(p.unit).subquery())
        stmt = sa.select(p).join(latest, p.id == latest.c.last_id).order_by(p.unit)
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def add_photo(self, photo: NewPhoto, media_key: str, sha256: str) -> FieldPhotoRow:
        """Record a stored photo (the JPEG is already under ``media_key``)."""
        row = FieldPhotoRow(
            id=uuid.uuid4().hex, alarm_id=photo.alarm.id, incident_id=photo.alarm.incident_id,
            camera_id=photo.alarm.camera_id, media_key=media_key, sha256=sha256,
            upload_sha256=photo.upload_sha256, upload_type=photo.upload_type,
            width=photo.width, height=photo.height, unit=photo.unit, note=photo.note,
            uploaded_by=photo.username, at=self.clock())
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def photos(self, *, incident_id: str | None = None,
               alarm_ids: Sequence[str] = ()) -> list[FieldPhotoRow]:
        """Photos of an incident and/or of some alarms, oldest first."""
        f = FieldPhotoRow
        wanted = []
        if incident_id is not None:
            wanted.append(f.incident_id == incident_id)
        if alarm_ids:
            wanted.append(f.alarm_id.in_(list(alarm_ids)))
        if not wanted:
            return []
        stmt = sa.select(f).where(sa.or_(*wanted)).order_by(f.at, f.id)
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def photo(self, photo_id: str) -> FieldPhotoRow:
        """One photo.

        Raises:
            NotFoundError: Unknown id.
        """
        with self._sessions() as session:
            row = session.get(FieldPhotoRow, photo_id)
        if row is None:
            raise NotFoundError(f"no field photo {photo_id!r}")
        return row


@dataclass(frozen=True)
class FieldPositionPurger:
    """The ``field_positions`` retention purger (a :class:`kuzet.privacy.retention.Purger`)."""

    engine: Engine
    data_class: str = field(default="field_positions", init=False)

    def purge(self, cutoff: datetime, *, dry_run: bool) -> int:
        """Delete positions recorded before ``cutoff``; returns how many (would) go."""
        old = PositionRow.at < cutoff
        with self.engine.begin() as conn:
            if dry_run:
                count = conn.scalar(sa.select(sa.func.count()).select_from(PositionRow)
                                    .where(old))
                return int(count or 0)
            result = conn.execute(sa.delete(PositionRow).where(old))
            return int(result.rowcount or 0)
