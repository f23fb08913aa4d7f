"""Stores citizen reports and counts refusals (per UTC day and reason)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.citizen.errors import Reason
from kuzet.citizen.models import CitizenReportRow, RejectionCountRow

R = CitizenReportRow
FLUSH_EVERY_S = 10.0


class ReportRepo:
    """Citizen report rows."""

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def add(self, row: CitizenReportRow) -> None:
        """Insert one report."""
        with self._sessions.begin() as session:
            session.add(row)

    def remove(self, ref: str) -> None:
        """Delete a report (undoing a half-done intake)."""
        with self._sessions.begin() as session:
            session.execute(sa.delete(R).where(R.id == ref))

    def get(self, ref: str) -> CitizenReportRow | None:
        """One report by reference, or None."""
        with self._sessions() as session:
            return session.get(R, ref)

    def of_alarm(self, alarm_id: str) -> CitizenReportRow | None:
        """The report behind an alarm, or None."""
        with self._sessions() as session:
            return session.scalar(sa.select(R).where(R.alarm_id == alarm_id))

    def around(self, category: str, at: datetime, window: timedelta) -> list[CitizenReportRow]:
        """Reports of ``category`` that happened within ``window`` of ``at``."""
        stmt = sa.select(R).where(R.category == category, R.occurred_at >= at - window,
                                  R.occurred_at <= at + window)
        with self._sessions() as session:
            return list(session.scalars(stmt.limit(500)))

    def count(self) -> int:
        """Number of stored reports."""
        with self._sessions() as session:
            return int(session.scalar(sa.select(sa.func.count()).select_from(R)) or 0)


class RejectionCounter:
    """Counts refusals in memory and adds them to ``citizen_rejections`` now and then.

    A flood of refusals must not become a flood of writes: counts are kept in
    memory and written at most every ``flush_every_s`` seconds (and by :meth:`flush`).

    Args:
        engine: The store.
        clock: UTC wall clock.
        flush_every_s: Seconds between writes.
    """

    def __init__(self, engine: Engine, clock: Callable[[], datetime],
                 flush_every_s: float = FLUSH_EVERY_S) -> None:
        self._engine = engine
        self._clock = clock
        self._every = timedelta(seconds=flush_every_s)
        self._pending: Counter[tuple[str, str]] = Counter()
        self.totals: Counter[str] = Counter()  # since start, for /metrics
        self._last = clock()
        self._lock = threading.Lock()

    def count(self, reason: Reason) -> None:
        """Count one refusal."""
        now = self._clock()
        with self._lock:
            self._pending[(now.date().isoformat(), reason.value)] += 1
            self.totals[reason.value] += 1
            due = now - self._last >= self._every
        if due:
            self.flush()

    def flush(self) -> None:
        """Write the pending counts."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last = self._clock()
        if not pending:
            return
        table = cast(sa.Table, RejectionCountRow.__table__)
        with self._engine.begin() as conn:
            for (day, reason), n in sorted(pending.items()):
                where = sa.and_(table.c.day == day, table.c.reason == reason)
                done = conn.execute(sa.update(table).where(where)
                                    .values(count=table.c.count + n)).rowcount
                if not done:
                    conn.execute(sa.insert(table).values(day=day, reason=reason, count=n))

    def stored(self, since: str, until: str) -> dict[str, int]:
        """Refusals per reason over the days ``since`` <= day < ``until`` (ISO dates)."""
        self.flush()
        t = RejectionCountRow
        stmt = (sa.select(t.reason, sa.func.sum(t.count)).where(t.day >= since, t.day < until)
                .group_by(t.reason))
        with self._engine.connect() as conn:
            return {str(r): int(n or 0) for r, n in conn.execute(stmt)}
