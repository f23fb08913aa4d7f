"""The append-only, hash-chained audit trail.

Every record's ``hash`` is the SHA-256 of the canonical JSON (sorted keys, no
spaces, UTC ISO times) of its fields, ``prev_hash`` included, so changing,
removing or reordering any record breaks the chain from there on. Appends are
serialised: a process lock, and inside one transaction an ``UPDATE`` of the
single-row ``audit_head`` table first (a row lock on PostgreSQL, the write lock
on SQLite), so concurrent writers in several processes still form one chain.

Signed checkpoints (``audit_checkpoints``: seq, hash, time, Ed25519 signature)
are written every ``checkpoint_every`` records, every ``checkpoint_interval_s``
seconds (checked on append; the server also runs
:class:`kuzet.privacy.audit_checkpoints.CheckpointTimer`) and on
:meth:`AuditLog.close`; they make deleting the newest records detectable, and the
oldest one anchors a chain whose old prefix was pruned by retention. Each
checkpoint first appends an ``audit.checkpoint`` record (naming the previous
checkpoint) and signs that record, in one transaction: the chain itself then
says where checkpoints were, so deleting a checkpoint row is detectable too.
:mod:`kuzet.privacy.audit_verify` checks all of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kuzet.privacy.keys import Signer
from kuzet.store.codec import to_jsonable
from kuzet.store.models import AuditCheckpointRow, AuditHeadRow, AuditRow

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
CHECKPOINT_ACTION = "audit.checkpoint"
MAX_LIMIT = 500
LOG = cast(sa.Table, AuditRow.__table__)
HEAD = cast(sa.Table, AuditHeadRow.__table__)
CHECKPOINTS = cast(sa.Table, AuditCheckpointRow.__table__)


def iso_utc(when: datetime) -> str:
    """Canonical time text: UTC, microseconds, ``+00:00``."""
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.isoformat(timespec="microseconds")


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes that are hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit record as stored."""

    seq: int
    at: datetime
    actor: str | None
    ip: str | None
    action: str
    camera_id: str | None
    target: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def hashed_fields(self) -> dict[str, Any]:
        """The fields covered by ``hash`` (everything but the hash itself)."""
        return {
            "seq": self.seq,
            "at": iso_utc(self.at),
            "actor": self.actor,
            "ip": self.ip,
            "action": self.action,
            "camera_id": self.camera_id,
            "target": self.target,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of :meth:`hashed_fields`."""
        return hashlib.sha256(canonical_json(self.hashed_fields())).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (API, CLI)."""
        return {**self.hashed_fields(), "hash": self.hash}

    @classmethod
    def from_row(cls, row: Any) -> AuditRecord:
        """From a result row of ``audit_log``."""
        return cls(
            seq=int(row.seq),
            at=row.at,
            actor=row.actor,
            ip=row.ip,
            action=row.action,
            camera_id=row.camera_id,
            target=row.target,
            details=dict(row.details or {}),
            prev_hash=row.prev_hash,
            hash=row.hash,
        )


def checkpoint_payload(seq: int, chain_hash: str, at: datetime) -> bytes:
    """The bytes a checkpoint signature covers."""
    return b"kuzet-audit-checkpoint:" + canonical_json(
        {"seq": seq, "hash": chain_hash, "at": iso_utc(at)}
    )


def _fields(
    action: str, actor: str | None, ip: str | None, camera_id: str | None,
    target: str | None, details: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The stored fields of a new record (time now, details JSON-able)."""
    return {
        "at": datetime.now(UTC), "actor": actor, "ip": ip, "action": action,
        "camera_id": camera_id, "target": target,
        "details": to_jsonable(dict(details or {})),
    }  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Filters for :meth:`AuditLog.list`; None means "any".

    Attributes:
        actor: Exact actor.
        action: Exact action, or a prefix when it ends with ``.`` or ``*``.
        camera_id: Exact camera.
        since: Records at or after this time.
        until: Records before this time.
        limit: Page size, 1..500.
        before_seq: Only records with a smaller seq (paging, newest first).
    """

    actor: str | None = None
    action: str | None = None
    camera_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    before_seq: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be in 1..{MAX_LIMIT}, got {self.limit}")

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """SQL conditions of the filters."""
        conds: list[sa.ColumnElement[bool]] = []
        if self.actor:
            conds.append(LOG.c.actor == self.actor)
        if self.action and self.action.endswith(("*", ".")):
            conds.append(LOG.c.action.startswith(self.action.rstrip("*"), autoescape=True))
        elif self.action:
            conds.append(LOG.c.action == self.action)
        if self.camera_id:
            conds.append(LOG.c.camera_id == self.camera_id)
        if self.since is not None:
            conds.append(LOG.c.at >= self.since)
        if self.until is not None:
            conds.append(LOG.c.at < self.until)
        if self.before_seq is not None:
            conds.append(LOG.c.seq < self.before_seq)
        return conds


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Records newest first; ``next_before`` pages on (None on the last page)."""

    items: list[AuditRecord] = field(default_factory=list)
    next_before: int | None = None


class AuditLog:
    """Appends to and reads the audit trail; safe to share between threads.

    Args:
        engine: The store's engine (tables from migration ``r0003_audit``).
        signer: Key for checkpoints; None writes no checkpoints.
        checkpoint_every: Records between checkpoints.
        checkpoint_interval_s: Seconds between checkpoints (checked on append).

    Example:
        >>> audit = AuditLog(store.engine, Signer.load_or_create(data_dir))  # doctest: +SKIP
        >>> audit.record("event.view", actor="ana", target="evt-1")  # doctest: +SKIP
    """

    def __init__(
        self,
        engine: Engine,
        signer: Signer | None = None,
        *,
        checkpoint_every: int = 1000,
        checkpoint_interval_s: float = 300.0,
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.checkpoint_every = max(1, checkpoint_every)
        self.checkpoint_interval_s = checkpoint_interval_s
        self._lock = threading.Lock()
        self._last_checkpoint: tuple[int, float] | None = None

    def record(
        self,
        action: str,
        *,
        actor: str | None,
        ip: str | None = None,
        camera_id: str | None = None,
        target: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Append one record (committed before this returns).

        Args:
            action: Dotted verb, e.g. ``event.view``, ``export.create``, ``config.changed``.
            actor: Username (None for the system itself).
            ip: Client address.
            camera_id: Camera concerned.
            target: Object concerned (event id, export file, user ...).
            details: Any JSON-able extra facts.

        Raises:
            sqlalchemy.exc.OperationalError: The store cannot take it (the API answers 503).
        """
        fields = _fields(action, actor, ip, camera_id, target, details)
        with self._lock, self.engine.begin() as conn:
            seq, _ = self._append(conn, fields)
        self._maybe_checkpoint(seq)

    def record_in(self, conn: Connection, action: str, *, actor: str | None,
                  details: Mapping[str, Any] | None = None, **where: str | None) -> int:
        """Append one record in the caller's transaction (committed or rolled back with it).

        A change and its record are then one write: a store failing between them
        cannot leave the change unrecorded. Appends stay serialised by the
        ``audit_head`` update. ``where``: ``ip``, ``camera_id``, ``target`` as for
        :meth:`record`. Returns the seq.
        """
        if unknown := set(where) - {"ip", "camera_id", "target"}:
            raise TypeError(f"record_in() got unexpected arguments {sorted(unknown)}")
        fields = _fields(action, actor, where.get("ip"), where.get("camera_id"),
                         where.get("target"), details)
        return self._append(conn, fields)[0]

    def _append(self, conn: Connection, fields: dict[str, Any]) -> tuple[int, str]:
        """Append in ``conn``'s transaction; returns the new (seq, hash)."""
        # The UPDATE comes first so that it takes the lock before anything is read.
        conn.execute(HEAD.update().where(HEAD.c.id == 1).values(seq=HEAD.c.seq + 1))
        head = conn.execute(sa.select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)).one()
        record = AuditRecord(seq=int(head.seq), prev_hash=head.hash, hash="", **fields)
        chain_hash = record.compute_hash()
        conn.execute(LOG.insert().values(**record.hashed_fields() | fields, hash=chain_hash))
        conn.execute(HEAD.update().where(HEAD.c.id == 1).values(hash=chain_hash))
        return record.seq, chain_hash

    def _maybe_checkpoint(self, seq: int) -> None:
        if self.signer is None:
            return
        if self._last_checkpoint is None:
            with self.engine.connect() as conn:
                last = conn.execute(sa.select(sa.func.max(CHECKPOINTS.c.seq))).scalar()
            self._last_checkpoint = (int(last or 0), time.monotonic())
        last_seq, last_time = self._last_checkpoint
        due_by_time = time.monotonic() - last_time >= self.checkpoint_interval_s
        if seq - last_seq >= self.checkpoint_every or due_by_time:
            self.checkpoint()

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the newest record; (0, genesis) when empty."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)).one()
        return int(row.seq), str(row.hash)

    def checkpoint(self) -> int | None:
        """Sign the chain: append ``audit.checkpoint`` and sign it, in one transaction.

        Returns:
            The signed seq, or None when there is no key or nothing new since the
            last checkpoint (so an idle system adds no records).
        """
        if self.signer is None:
            return None
        with self._lock, self.engine.begin() as conn:
            # Taking the head's write lock first serialises checkpoints across processes.
            conn.execute(HEAD.update().where(HEAD.c.id == 1).values(seq=HEAD.c.seq))
            head = int(conn.execute(sa.select(HEAD.c.seq).where(HEAD.c.id == 1)).scalar() or 0)
            last = int(conn.execute(sa.select(sa.func.max(CHECKPOINTS.c.seq))).scalar() or 0)
            if head == 0 or head == last:
                self._last_checkpoint = (head, time.monotonic())
                return None
            details = {"previous_seq": last, "covers_seq": head}
            fields = _fields(CHECKPOINT_ACTION, None, None, None, None, details)
            at = fields["at"]
            seq, chain_hash = self._append(conn, fields)
            signature = self.signer.sign(checkpoint_payload(seq, chain_hash, at)).hex()
            conn.execute(
                CHECKPOINTS.insert().values(seq=seq, hash=chain_hash, at=at, signature=signature)
            )
        self._last_checkpoint = (seq, time.monotonic())
        return seq

    def close(self) -> None:
        """Write a final checkpoint (on shutdown)."""
        try:
            self.checkpoint()
        except Exception:  # shutdown must go on; verify will show the unsigned tail
            log.exception("final audit checkpoint failed")

    def list(self, query: AuditQuery) -> AuditPage:
        """Records matching ``query``, newest first."""
        stmt = (
            sa.select(LOG)
            .where(*query.conditions())
            .order_by(LOG.c.seq.desc())
            .limit(query.limit + 1)
        )
        with self.engine.connect() as conn:
            rows = [AuditRecord.from_row(r) for r in conn.execute(stmt)]
        items = rows[: query.limit]
        more = len(rows) > query.limit
        return AuditPage(items=items, next_before=items[-1].seq if more else None)

    def note_config(self, digest: str, source: str) -> bool:
        """Record ``config.changed`` when ``digest`` differs from the last one seen.

        Args:
            digest: SHA-256 of the config in use.
            source: Where it came from (file path).

        Returns:
            True when a record was written.
        """
        stmt = (
            sa.select(LOG.c.details)
            .where(LOG.c.action == "config.changed")
            .order_by(LOG.c.seq.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            last = conn.execute(stmt).scalar()
        previous = (last or {}).get("sha256")
        if previous == digest:
            return False
        details = {"sha256": digest, "previous_sha256": previous, "source": source}
        self.record("config.changed", actor=None, target=source, details=details)
        return True

    def prune_before(self, cutoff: datetime, *, dry_run: bool = False) -> int:
        """Delete the oldest records up to the newest checkpoint signed before ``cutoff``.

        Only a whole prefix goes, and the checkpoint at its end stays as the
        chain's new anchor (older checkpoints go with the records they sign).

        Returns:
            Number of records deleted (or that would be, with ``dry_run``).
        """
        with self._lock, self.engine.begin() as conn:
            conn.execute(HEAD.update().where(HEAD.c.id == 1).values(seq=HEAD.c.seq))
            anchor = conn.execute(
                sa.select(sa.func.max(CHECKPOINTS.c.seq)).where(CHECKPOINTS.c.at < cutoff)
            ).scalar()
            if anchor is None:
                return 0
            doomed = LOG.c.seq <= anchor
            count = int(conn.execute(sa.select(sa.func.count()).where(doomed)).scalar() or 0)
            if not dry_run:
                conn.execute(LOG.delete().where(doomed))
                conn.execute(CHECKPOINTS.delete().where(CHECKPOINTS.c.seq < anchor))
        if count and not dry_run:
            self.record(
                "audit.pruned", actor=None, details={"through_seq": anchor, "records": count}
            )
        return count
