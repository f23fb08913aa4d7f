"""A durable outbox: store writes queued in a file of their own, applied in order.

Everything a camera produces (event updates, line counts, plate reads) is first
appended to ``outbox.db``, a separate SQLite file (WAL) in the data dir, and
then applied to the store by one drainer thread, oldest first. When the store
is locked, read-only or unreachable, the drainer keeps the entries and retries
with backoff; the outbox reports itself ``degraded`` (and logs it loudly)
until the backlog is applied. Nothing is dropped silently: an entry whose
handler fails for a reason other than the store being unavailable is moved to
the ``dead`` table and logged as an error.

Each entry has a unique key. Handlers apply it idempotently (events upsert by
id; counts and reads record the key in the store in the same transaction), so
an entry applied just before a crash, and applied again after it, is stored
once.

The outbox is bounded (``max_bytes``): while it is full, :meth:`Outbox.put`
waits (back-pressure on the camera pipes) instead of dropping.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)

Handler = Callable[[Any, str], object]
"""Applies one entry: (item, key) -> anything; raises to retry later."""

Pruner = Callable[[float], object]
"""Forgets the keys of entries applied before a UNIX time (``applied_writes``)."""

PRUNE_EVERY_S = 3600.0  # the applied keys are pruned this often
PRUNE_MARGIN_S = 3600.0  # kept this much longer than the replay horizon (clock steps)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " key TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL, payload BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dead (seq INTEGER PRIMARY KEY, key TEXT NOT NULL,"
    " kind TEXT NOT NULL, at REAL NOT NULL, payload BLOB NOT NULL, error TEXT NOT NULL)",
)


def store_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means "the store cannot take writes now" (retry later).

    SQLite's locked, read-only, disk-full and I/O errors and a lost database
    connection are all ``OperationalError``s. PostgreSQL raises some of these as
    other classes (a read-only standby after a failover is an ``InternalError``),
    so its SQLSTATE decides: connection lost, out of resources (disk full, too
    many connections), server shutting down, read-only transaction, serialization
    failure, deadlock, lock not available, system I/O error.
    """
    if isinstance(error, sa.exc.OperationalError | sqlite3.OperationalError | OSError):
        return True
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_PG_RETRY_LATER)


# SQLSTATE classes and codes of PostgreSQL that mean "not now", not "never".
_PG_RETRY_LATER = ("08", "53", "57P", "58", "25006", "40001", "40P01", "55P03")


@dataclass(frozen=True, slots=True)
class OutboxState:
    """What the outbox reports (health, logs, tests).

    Attributes:
        degraded: The store is not taking writes (a write failed, or the oldest
            entry has waited longer than ``stall_s``); entries are waiting.
        pending: Entries not yet applied.
        oldest_age_s: Age of the oldest pending entry (0 when none).
        applied: Entries applied since start.
        dead: Entries set aside after a non-retryable error.
        last_error: The latest error, "" when none.
    """

    degraded: bool
    pending: int
    oldest_age_s: float
    applied: int
    dead: int
    last_error: str


class Outbox:
    """Durable, ordered, bounded queue of store writes with one drainer thread.

    Args:
        path: The outbox file (created if missing).
        handlers: Entry kind -> handler (more with :meth:`handle`).
        max_bytes: Payload bytes held at most; ``put`` waits while full.
        retry_max_s: Longest wait between retries while the store is unavailable.
        stall_s: An entry pending longer than this makes the outbox ``degraded``
            (a write waiting on a locked database reports before it fails).

    Example:
        >>> box = Outbox(tmp / "outbox.db", {"event": apply_event})  # doctest: +SKIP
        >>> box.start(); box.put("event", event); box.stop()  # doctest: +SKIP
    """

    def __init__(
        self,
        path: Path,
        handlers: Mapping[str, Handler] | None = None,
        max_bytes: int = 256 * 2**20,
        retry_max_s: float = 5.0,
        stall_s: float = 2.0,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._handlers = dict(handlers or {})
        self._max_bytes = max_bytes
        self._retry_max_s = retry_max_s
        self._stall_s = stall_s
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        for statement in _SCHEMA:
            self._db.execute(statement)
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._bytes = self._scalar("SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM entries")
        self._applied = 0
        self._degraded = False
        self._last_error = ""
        self._closed: OutboxState | None = None
        self._draining = threading.Lock()  # one drain at a time (the thread or stop)
        self._pruner: Pruner | None = None
        self._pruned_at = 0.0

    def _scalar(self, sql: str) -> int:
        with self._lock:
            row = self._db.execute(sql).fetchone()
        return int(row[0] or 0)

    def handle(self, kind: str, handler: Handler) -> None:
        """Apply entries of ``kind`` with ``handler`` (register before :meth:`start`)."""
        self._handlers[kind] = handler

    def on_prune(self, pruner: Pruner) -> None:
        """Call ``pruner(before)`` every ``PRUNE_EVERY_S`` from the drainer (see :meth:`prune`)."""
        self._pruner = pruner

    def replay_horizon(self) -> float:
        """UNIX time before which no pending entry was put (now when none is pending).

        An entry can be replayed (applied again) only while it is pending, and
        its key was recorded when applied, after it was put: a key applied
        before the horizon belongs to an entry that is gone and is never
        looked up again.
        """
        with self._lock:
            oldest = self._db.execute("SELECT MIN(at) FROM entries").fetchone()[0]
        return time.time() if oldest is None else float(oldest)

    def prune(self, margin_s: float = PRUNE_MARGIN_S) -> None:
        """Have the pruner forget keys applied before the horizon less ``margin_s``.

        A store that cannot take the write now is retried at the next prune.
        """
        if self._pruner is None:
            return
        self._pruned_at = time.monotonic()
        try:
            self._pruner(self.replay_horizon() - margin_s)
        except Exception as error:  # noqa: BLE001 - drainer boundary: never stop draining
            if not store_unavailable(error):
                log.exception("pruning the applied outbox keys failed")

    def put(self, kind: str, item: object) -> str:
        """Append one write (durably); returns its key. Waits while the outbox is full.

        Raises:
            KeyError: No handler for ``kind``.
        """
        if kind not in self._handlers:
            raise KeyError(f"no outbox handler for {kind!r}")
        payload = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        key = uuid.uuid4().hex
        with self._wake:
            warned = False
            drainer = threading.current_thread() is self._thread  # never waits for itself
            while (self._bytes + len(payload) > self._max_bytes and not drainer
                   and not self._stopping.is_set()):
                if not warned:
                    log.error("outbox full (%d bytes): holding camera output until the "
                              "store takes writes again", self._bytes)
                    warned = True
                self._wake.wait(1.0)
            self._insert((key, kind, time.time(), payload))
            self._bytes += len(payload)
            self._wake.notify_all()
        return key

    def _insert(self, row: tuple[str, str, float, bytes]) -> None:
        # Called with the lock held. A full disk holds the caller (back-pressure)
        # until space is freed, rather than dropping the write.
        failed = False
        while True:
            try:
                self._db.execute(
                    "INSERT INTO entries (key, kind, at, payload) VALUES (?, ?, ?, ?)", row
                )
            except sqlite3.OperationalError as error:
                if self._stopping.is_set():
                    raise
                if not failed:
                    log.error("outbox cannot write (%s): holding camera output until it can",
                              error)
                failed = True
                self._last_error = f"outbox: {error}"
                self._wake.wait(0.5)
                continue
            if failed:
                log.warning("outbox writable again")
            return

    def state(self) -> OutboxState:
        """The current state (cheap: two indexed queries; the last one once stopped)."""
        with self._lock:
            if self._closed is not None:
                return self._closed
            pending, oldest = self._db.execute("SELECT COUNT(*), MIN(at) FROM entries").fetchone()
            dead = self._db.execute("SELECT COUNT(*) FROM dead").fetchone()[0]
            age = time.time() - oldest if oldest is not None else 0.0
            return OutboxState(
                degraded=self._degraded or age > self._stall_s,
                pending=int(pending),
                oldest_age_s=round(age, 3),
                applied=self._applied,
                dead=int(dead),
                last_error=self._last_error,
            )

    def drain_once(self, limit: int = 200) -> int:
        """Apply pending entries in order until done or the store fails; returns how many."""
        with self._draining:
            if self._closed is not None:
                return 0
            return self._drain(limit)

    def _drain(self, limit: int) -> int:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, key, kind, payload FROM entries ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        done = 0
        in_thread = threading.current_thread() is self._thread
        for seq, key, kind, payload in rows:
            if in_thread and self._stopping.is_set():
                return done  # stop() takes over
            try:
                self._handlers[kind](pickle.loads(payload), key)
            except Exception as error:  # noqa: BLE001 - sink boundary: classify, never drop
                if store_unavailable(error):
                    self._set_degraded(f"{type(error).__name__}: {error}")
                    return done
                self._bury(seq, key, kind, payload, error)
                continue
            self._remove(seq, len(payload))
            done += 1
        if self._degraded and done == len(rows):
            self._recovered()
        return done

    def _remove(self, seq: int, size: int) -> None:
        with self._wake:
            self._db.execute("DELETE FROM entries WHERE seq = ?", (seq,))
            self._bytes -= size
            self._applied += 1
            self._wake.notify_all()

    def _bury(self, seq: int, key: str, kind: str, payload: bytes, error: Exception) -> None:
        log.error("outbox entry %s (%s) failed for good; kept in %s table dead",
                  key, kind, self.path, exc_info=error)
        with self._wake:
            self._db.execute(
                "INSERT INTO dead (seq, key, kind, at, payload, error) "
                "SELECT seq, key, kind, at, payload, ? FROM entries WHERE seq = ?",
                (repr(error), seq),
            )
            self._db.execute("DELETE FROM entries WHERE seq = ?", (seq,))
            self._bytes -= len(payload)
            self._last_error = repr(error)
            self._wake.notify_all()

    def _set_degraded(self, error: str) -> None:
        if not self._degraded:
            log.error("store unavailable (%s): DEGRADED, writes are held in %s and retried",
                      error, self.path)
        self._degraded, self._last_error = True, error

    def _recovered(self) -> None:
        self._degraded = False
        log.warning("store writable again: outbox drained, no longer degraded")

    def start(self) -> None:
        """Start the drainer thread."""
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        delay = 0.05
        while not self._stopping.is_set():
            done = self.drain_once()
            if not self._degraded and time.monotonic() - self._pruned_at >= PRUNE_EVERY_S:
                self.prune()
            if self._degraded:
                delay = min(max(delay * 2, 0.25), self._retry_max_s)
            else:
                delay = 0.05
            if done == 0 or self._degraded:
                with self._wake:
                    self._wake.wait(delay)

    def stop(self, timeout: float = 5.0) -> OutboxState:
        """Apply what the store takes within ``timeout`` seconds, stop, and close the file.

        Entries still pending stay in the file and are applied on the next start.
        """
        deadline = time.monotonic() + timeout
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        while time.monotonic() < deadline and self.state().pending:
            if self.drain_once() == 0:
                time.sleep(0.1)
        with self._draining:  # a handler still running in the thread finishes first
            state = self.state()
            with self._lock:
                self._db.close()
                self._closed = state
        if state.pending:
            log.error("stopping with %d store writes pending in %s; applied on next start",
                      state.pending, self.path)
        return state
