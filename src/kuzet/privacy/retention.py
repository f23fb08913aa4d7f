"""Retention: delete data older than its class's limit, except what is on legal hold.

One run (:meth:`RetentionJob.run`) handles, per ``retention`` config:

- ``events``: event rows older than the limit, with their snapshot files (the
  snapshot and its redacted copy ``redacted/<snapshot key>``);
- ``snapshots``: snapshot files older than the limit (the event row stays,
  ``snapshot_key`` is cleared, ``snapshot_sha256`` kept as a record of what was there);
- ``clips``: files under ``clips/`` in the media store older than the limit
  (by modification time) unless named after a held event;
- ``audit``: the oldest whole prefix of the audit trail up to a signed checkpoint
  (:meth:`AuditLog.prune_before`);
- every other class (``plate_reads``, ``face_sightings``): by a :class:`Purger`
  that the package owning the table provides and the caller passes in (the
  full list is built once, in ``kuzet.runtime.retention``). A class with a limit
  and no purger is refused when the job is built, so nothing is silently kept.

Held events (``legal_hold``) and their media are never touched. Each run is
logged and audited (``retention.run`` with counts per class).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kuzet.config.retention import RetentionConfig
from kuzet.privacy.audit import AuditLog
from kuzet.privacy.snapshots import redacted_key
from kuzet.store.media import Media, MediaStore
from kuzet.store.models import EventRow

log = logging.getLogger(__name__)

EVENTS = cast(sa.Table, EventRow.__table__)
BATCH = 500
BUILT_IN = ("events", "snapshots", "clips", "audit")  # purged by the job itself


class Purger(Protocol):
    """Purges one data class kept in a table that another package owns.

    Example:
        >>> PlateReadPurger(engine, media).purge(cutoff, dry_run=True)  # doctest: +SKIP
        3
    """

    @property
    def data_class(self) -> str:
        """The ``retention`` setting it enforces (a :class:`RetentionConfig` field)."""
        ...

    def purge(self, cutoff: datetime, *, dry_run: bool) -> int:
        """Remove what is older than ``cutoff`` (rows and their media).

        Returns:
            How many rows were removed (or would be, with ``dry_run``).
        """
        ...


def check_purgers(config: RetentionConfig, purgers: Sequence[Purger]) -> None:
    """Refuse purgers that do not cover the limited data classes exactly once.

    Raises:
        ValueError: A purger names a class that is not a retention setting (or one
            the job handles itself), two purge the same class, or a class with a
            limit has none.
    """
    names = [p.data_class for p in purgers]
    external = [name for name in RetentionConfig.data_classes() if name not in BUILT_IN]
    unknown = sorted(set(names) - set(external))
    twice = sorted({name for name in names if names.count(name) > 1})
    missing = [n for n in external if getattr(config, n) is not None and n not in names]
    for problem, found in (("unknown", unknown), ("duplicate", twice), ("missing", missing)):
        if found:
            raise ValueError(
                f"retention purgers: {problem} data classes {found}; "
                f"one purger is needed for each of {external}"
            )


@dataclass
class RetentionReport:
    """What one run removed (or would remove, with ``dry_run``), per data class."""

    dry_run: bool
    removed: dict[str, int] = field(default_factory=dict)
    files: int = 0
    held: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (CLI, audit details)."""
        return {
            "dry_run": self.dry_run,
            "removed": dict(self.removed),
            "files": self.files,
            "held": self.held,
        }


def _cutoff(now: datetime, days: int | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


class RetentionJob:
    """Enforces :class:`RetentionConfig` on a store and a media folder.

    Example:
        >>> job = RetentionJob(engine, media, audit, config.retention, purgers)  # doctest: +SKIP
        >>> job.run(dry_run=True).removed  # doctest: +SKIP
        {'events': 12, 'snapshots': 40, 'clips': 0, 'audit': 0}
    """

    def __init__(
        self,
        engine: Engine,
        media: Media,
        audit: AuditLog,
        config: RetentionConfig,
        purgers: Sequence[Purger],
    ) -> None:
        """Check the purgers; nothing runs yet.

        Args:
            engine: Store engine (events table, legal holds).
            media: Media store of snapshots and clips.
            audit: Audit trail (pruned, and told of each run).
            config: The ``retention`` section.
            purgers: One per data class kept elsewhere (see :func:`check_purgers`).

        Raises:
            ValueError: The purgers do not cover the limited data classes.
        """
        check_purgers(config, purgers)
        self.engine = engine
        self.media = media
        self.audit = audit
        self.config = config
        self.purgers = tuple(purgers)

    def run(
        self, *, dry_run: bool = False, now: datetime | None = None, actor: str | None = None
    ) -> RetentionReport:
        """One pass over every data class; audited as ``retention.run``."""
        now = now or datetime.now(UTC)
        report = RetentionReport(dry_run=dry_run)
        report.held = self._held_count()
        report.removed["events"] = self._purge_events(_cutoff(now, self.config.events), report)
        report.removed["snapshots"] = self._purge_snapshots(
            _cutoff(now, self.config.snapshots), report
        )
        report.removed["clips"] = self._purge_clips(_cutoff(now, self.config.clips), report)
        for purger in self.purgers:
            cutoff = _cutoff(now, getattr(self.config, purger.data_class))
            if cutoff is not None:
                report.removed[purger.data_class] = purger.purge(cutoff, dry_run=dry_run)
        audit_cutoff = _cutoff(now, self.config.audit)
        report.removed["audit"] = (
            0 if audit_cutoff is None else self.audit.prune_before(audit_cutoff, dry_run=dry_run)
        )
        log.info("retention %s: %s", "dry run" if dry_run else "run", report.to_json())
        self.audit.record("retention.run", actor=actor, details=report.to_json())
        return report

    def _held_count(self) -> int:
        stmt = sa.select(sa.func.count()).where(EVENTS.c.legal_hold.is_(True))
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)

    def _delete_file(self, key: str | None, report: RetentionReport) -> None:
        if key is None:
            return
        try:
            found = self.media.exists(key)
        except ValueError:
            log.warning("retention: skipping invalid media key %r", key)
            return
        if found:
            report.files += 1
            if not report.dry_run:
                self.media.delete(key)

    def _delete_snapshot(self, key: str | None, report: RetentionReport) -> None:
        self._delete_file(key, report)
        if key is not None:
            self._delete_file(redacted_key(key), report)

    def _expired(self, cutoff: datetime, *extra: sa.ColumnElement[bool]) -> list[Any]:
        stmt = (
            sa.select(EVENTS.c.id, EVENTS.c.snapshot_key)
            .where(EVENTS.c.started_at < cutoff, EVENTS.c.legal_hold.is_(False), *extra)
            .limit(BATCH)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(stmt))

    def _purge_events(self, cutoff: datetime | None, report: RetentionReport) -> int:
        if cutoff is None:
            return 0
        if report.dry_run:
            stmt = sa.select(sa.func.count()).where(
                EVENTS.c.started_at < cutoff, EVENTS.c.legal_hold.is_(False)
            )
            with self.engine.connect() as conn:
                return int(conn.execute(stmt).scalar() or 0)
        removed = 0
        while rows := self._expired(cutoff):
            for row in rows:
                self._delete_snapshot(row.snapshot_key, report)
            with self.engine.begin() as conn:  # re-check the hold: it may have just been set
                ids = [row.id for row in rows]
                result = conn.execute(
                    EVENTS.delete().where(EVENTS.c.id.in_(ids), EVENTS.c.legal_hold.is_(False))
                )
                removed += result.rowcount
        return removed

    def _purge_snapshots(self, cutoff: datetime | None, report: RetentionReport) -> int:
        if cutoff is None:
            return 0
        removed = 0
        has_key = EVENTS.c.snapshot_key.is_not(None)
        while rows := self._expired(cutoff, has_key):
            for row in rows:
                self._delete_snapshot(row.snapshot_key, report)
            removed += len(rows)
            if report.dry_run:
                break  # one batch is enough to count
            with self.engine.begin() as conn:
                conn.execute(
                    EVENTS.update()
                    .where(EVENTS.c.id.in_([row.id for row in rows]))
                    .values(snapshot_key=None)
                )
        return removed

    def _purge_clips(self, cutoff: datetime | None, report: RetentionReport) -> int:
        if not isinstance(self.media, MediaStore):  # a bucket's clips: its lifecycle rules
            return 0
        media_root = self.media.root
        root = media_root / "clips"
        if cutoff is None or not root.is_dir():
            return 0
        with self.engine.connect() as conn:
            held = set(
                conn.execute(sa.select(EVENTS.c.id).where(EVENTS.c.legal_hold.is_(True))).scalars()
            )
        limit = cutoff.timestamp()
        removed = 0
        for path in root.rglob("*"):
            if path.is_file() and path.stat().st_mtime < limit and path.stem not in held:
                removed += 1
                self._delete_file(path.relative_to(media_root).as_posix(), report)
        return removed


class RetentionThread:
    """Runs a :class:`RetentionJob` every ``run_every`` seconds (first run at start)."""

    def __init__(self, job: RetentionJob, every_s: float) -> None:
        self.job = job
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread."""
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.job.run()
            except Exception:  # a failed run is logged and retried next period
                log.exception("retention run failed")
            self._stop.wait(self.every_s)

    def stop(self) -> None:
        """Stop and wait for the thread (a run in progress finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
