"""Line count repository: add per-minute increments, read bucketed series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from kuzet.core.counts import LineCount
from kuzet.store.models import AppliedWriteRow, LineCountRow

BUCKETS = (60, 900, 3600)
_KEY = ("camera_id", "line", "minute", "label", "direction")


@dataclass(frozen=True, slots=True)
class CountQuery:
    """Filters of :meth:`CountRepo.series`.

    Attributes:
        camera_id: The camera.
        lines: Line names; empty = every line of the camera.
        since: Minutes at or after this time (UTC); None = from the start.
        until: Minutes before this time; None = to the end.
        bucket: Bucket size in seconds: 60, 900 or 3600.
    """

    camera_id: str
    lines: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None
    bucket: int = 60

    def __post_init__(self) -> None:
        if self.bucket not in BUCKETS:
            raise ValueError(f"bucket must be one of {BUCKETS}, got {self.bucket}")


@dataclass(slots=True)
class CountSeries:
    """Counts of one line, class and direction, summed per bucket (oldest first)."""

    line: str
    label: str
    direction: str
    points: list[tuple[datetime, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Sum over every bucket."""
        return sum(n for _, n in self.points)


class CountRepo:
    """Upserts count increments into ``line_counts`` and reads series.

    Example:
        >>> increment = LineCount("gate", "road", minute, "car", Direction.IN, 2)
        >>> store.counts.add([increment])  # doctest: +SKIP
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, counts: Sequence[LineCount], write_key: str | None = None) -> None:
        """Add increments; rows with the same key are summed, in one transaction.

        Args:
            counts: The increments.
            write_key: Outbox key of this batch; a batch whose key was applied before
                is skipped (exactly-once when replayed).
        """
        merged: dict[tuple[str, str, datetime, str, str], int] = {}
        for c in counts:
            key = (c.camera_id, c.line, c.minute.astimezone(UTC), c.label, str(c.direction))
            merged[key] = merged.get(key, 0) + int(c.n)
        if not merged:
            return
        rows = [dict(zip(_KEY, key, strict=True), count=n) for key, n in merged.items()]
        with self._sessions.begin() as session:
            if write_key is not None:
                if session.get(AppliedWriteRow, write_key) is not None:
                    return
                session.add(AppliedWriteRow(key=write_key, at=datetime.now(UTC)))
            name = session.get_bind().dialect.name
            insert = postgresql.insert if name == "postgresql" else sqlite.insert
            stmt = insert(LineCountRow)
            stmt = stmt.on_conflict_do_update(
                index_elements=list(_KEY),
                set_={"count": LineCountRow.count + stmt.excluded.count},
            )
            session.execute(stmt, rows)

    def forget_applied(self, before: float) -> int:
        """Delete the outbox keys applied before ``before`` (UNIX time); returns how many.

        ``Outbox.prune`` calls it with the outbox's replay horizon, so the
        ``applied_writes`` table holds only keys a replay could still look up.
        """
        cutoff = datetime.fromtimestamp(before, UTC)
        with self._sessions.begin() as session:
            done = session.execute(sa.delete(AppliedWriteRow).where(AppliedWriteRow.at < cutoff))
        return int(getattr(done, "rowcount", 0) or 0)

    def series(self, query: CountQuery) -> list[CountSeries]:
        """Counts per bucket for each (line, class, direction), sorted by those keys."""
        stmt = sa.select(LineCountRow).where(LineCountRow.camera_id == query.camera_id)
        if query.lines:
            stmt = stmt.where(LineCountRow.line.in_(list(query.lines)))
        if query.since is not None:
            stmt = stmt.where(LineCountRow.minute >= query.since)
        if query.until is not None:
            stmt = stmt.where(LineCountRow.minute < query.until)
        sums: dict[tuple[str, str, str], dict[float, int]] = {}
        with self._sessions() as session:
            for row in session.scalars(stmt.order_by(LineCountRow.minute)):
                t = row.minute.timestamp()
                start = t - t % query.bucket
                buckets = sums.setdefault((row.line, row.label, row.direction), {})
                buckets[start] = buckets.get(start, 0) + row.count
        return [
            CountSeries(
                line, label, direction,
                [(datetime.fromtimestamp(t, UTC), n) for t, n in sorted(buckets.items())],
            )
            for (line, label, direction), buckets in sorted(sums.items())
        ]


class CountsSink:
    """Subscriber of the counts bus that writes increments to the store."""

    def __init__(self, repo: CountRepo) -> None:
        self._repo = repo

    def __call__(self, counts: Sequence[LineCount]) -> None:
        """Persist one batch of increments."""
        self._repo.add(counts)
