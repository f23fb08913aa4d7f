"""Verification of the audit trail: the hash chain, its head and the signed checkpoints.

Finds, in one pass over the records (oldest first), every record whose stored
hash does not match its fields (``hash_mismatch``), whose ``prev_hash`` does not
name the record before it (``broken_link``) and every gap in the sequence
(``missing``), then checks each checkpoint's signature and that the record it
signs still exists with that hash, and that every ``audit.checkpoint`` record
still has its signed checkpoint (deleted checkpoints). The first issue (lowest
seq) is the answer.

Records after the newest checkpoint are not covered by any signature: they are
reported (``unsigned``), not failed, since a running server always has a few.
Deleting them, or deleting the newest checkpoint together with every record from
it on and rewinding the head, leaves a consistent shorter chain that nothing in
the database contradicts; ``expect_seq`` (a seq the auditor saw signed before)
catches that. docs/security.md says what the chain does and does not protect.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kuzet.privacy.audit import (
    CHECKPOINT_ACTION,
    CHECKPOINTS,
    GENESIS_HASH,
    HEAD,
    LOG,
    AuditRecord,
    checkpoint_payload,
)
from kuzet.privacy.keys import verify_signature

MAX_ISSUES = 100


@dataclass(frozen=True, slots=True)
class AuditIssue:
    """One problem: the record's seq, a kind and a human-readable detail."""

    seq: int
    kind: str  # hash_mismatch | broken_link | missing | checkpoint | head
    detail: str


@dataclass
class VerifyReport:
    """What :func:`verify_audit` found."""

    records: int = 0
    checkpoints: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    anchor_seq: int | None = None
    last_checkpoint_seq: int | None = None
    issues: list[AuditIssue] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def unsigned(self) -> int:
        """Records after the newest checkpoint (no signature covers them)."""
        if self.last_seq is None:
            return 0
        return max(0, self.last_seq - (self.last_checkpoint_seq or 0))

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.issues

    @property
    def first_issue(self) -> AuditIssue | None:
        """The issue at the lowest seq (the first bad record)."""
        return min(self.issues, key=lambda i: i.seq) if self.issues else None

    def add(self, seq: int, kind: str, detail: str) -> None:
        """Note an issue (at most ``MAX_ISSUES`` are kept)."""
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(AuditIssue(seq, kind, detail))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary."""
        first = self.first_issue
        return {
            "ok": self.ok,
            "records": self.records,
            "checkpoints": self.checkpoints,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "anchor_seq": self.anchor_seq,
            "last_checkpoint_seq": self.last_checkpoint_seq,
            "unsigned": self.unsigned,
            "first_issue": None if first is None else vars_of(first),
            "issues": [vars_of(i) for i in sorted(self.issues, key=lambda i: i.seq)],
            "elapsed_s": round(self.elapsed_s, 3),
        }


def vars_of(issue: AuditIssue) -> dict[str, Any]:
    """An issue as a dict."""
    return {"seq": issue.seq, "kind": issue.kind, "detail": issue.detail}


@dataclass(frozen=True, slots=True)
class _Checkpoint:
    seq: int
    hash: str
    at: Any
    signature: str


def _start(engine: Engine, checkpoints: list[_Checkpoint], report: VerifyReport) -> tuple[int, str]:
    """(first expected seq, expected prev_hash): genesis, or the oldest checkpoint."""
    with engine.connect() as conn:
        first = conn.execute(sa.select(sa.func.min(LOG.c.seq))).scalar()
        head_seq = int(conn.execute(sa.select(HEAD.c.seq).where(HEAD.c.id == 1)).scalar() or 0)
    oldest = int(first) if first is not None else head_seq + 1
    if oldest > 1 and checkpoints and checkpoints[0].seq < oldest:
        # Retention removed the prefix up to the oldest checkpoint, which anchors the rest.
        report.anchor_seq = checkpoints[0].seq
        return checkpoints[0].seq + 1, checkpoints[0].hash
    return 1, GENESIS_HASH


def _check_prune_recorded(engine: Engine, report: VerifyReport) -> None:
    """A pruned prefix must be explained by an ``audit.pruned`` record after it."""
    if report.anchor_seq is None:
        return
    stmt = sa.select(LOG.c.details).where(LOG.c.action == "audit.pruned")
    with engine.connect() as conn:
        through = {(d or {}).get("through_seq") for d in conn.execute(stmt).scalars()}
    if report.anchor_seq not in through:
        report.add(
            1,
            "missing",
            f"records 1..{report.anchor_seq} are gone and no audit.pruned record "
            "says retention removed them",
        )


def _check_record(record: AuditRecord, expected: int, prev: str, report: VerifyReport) -> None:
    if record.seq != expected:
        report.add(expected, "missing", f"records {expected}..{record.seq - 1} are missing")
    computed = record.compute_hash()
    if computed != record.hash:
        report.add(
            record.seq,
            "hash_mismatch",
            f"stored hash {record.hash[:16]}... != recomputed {computed[:16]}... "
            "(a field of this record was changed)",
        )
    elif record.seq == expected and record.prev_hash != prev:
        report.add(
            record.seq,
            "broken_link",
            f"prev_hash {record.prev_hash[:16]}... does not match the hash of record "
            f"{record.seq - 1} ({prev[:16]}...)",
        )


def _walk(
    engine: Engine,
    start: tuple[int, str],
    wanted: set[int],
    signed: set[int],
    report: VerifyReport,
) -> dict[int, str]:
    """Check every record; returns the stored hashes of the ``wanted`` seqs.

    ``audit.checkpoint`` records whose seq is not in ``signed`` (the checkpoint
    rows) are reported here.
    """
    expected, prev = start
    found: dict[int, str] = {}
    stmt = sa.select(LOG).order_by(LOG.c.seq)
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=2000).execute(stmt):
            record = AuditRecord.from_row(row)
            if report.first_seq is None:
                report.first_seq = record.seq
            _check_record(record, expected, prev, report)
            if record.seq in wanted:
                found[record.seq] = record.hash
            if record.action == CHECKPOINT_ACTION and record.seq not in signed:
                report.add(
                    record.seq,
                    "checkpoint",
                    f"record {record.seq} says a checkpoint was signed here, but the "
                    "checkpoint is gone (checkpoints were deleted)",
                )
            report.records += 1
            report.last_seq = record.seq
            expected, prev = record.seq + 1, record.hash
    with engine.connect() as conn:
        head = conn.execute(sa.select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)).one()
    if int(head.seq) >= expected:
        report.add(expected, "missing", f"records {expected}..{head.seq} (the newest) are missing")
    elif int(head.seq) == expected - 1 and head.hash != prev:
        report.add(int(head.seq), "head", "the chain head's hash does not match the last record")
    return found


def _check_checkpoints(
    checkpoints: list[_Checkpoint],
    found: dict[int, str],
    public_pem: bytes | None,
    report: VerifyReport,
) -> None:
    for cp in checkpoints:
        payload = checkpoint_payload(cp.seq, cp.hash, cp.at)
        if public_pem is None:
            report.add(
                cp.seq, "checkpoint", f"checkpoint at seq {cp.seq}: no public key to check it"
            )
        elif not verify_signature(public_pem, payload, bytes.fromhex(cp.signature)):
            report.add(cp.seq, "checkpoint", f"checkpoint at seq {cp.seq}: bad signature")
        if cp.seq in found:
            if found[cp.seq] != cp.hash:
                report.add(
                    cp.seq, "checkpoint", f"record {cp.seq} differs from its signed checkpoint"
                )
        elif cp.seq != report.anchor_seq:
            report.add(
                cp.seq,
                "missing",
                f"record {cp.seq}, signed by the checkpoint of {cp.at:%Y-%m-%d %H:%M:%S}Z, "
                "is missing (records were deleted)",
            )


def _check_expected(expect_seq: int, found: dict[int, str], report: VerifyReport) -> None:
    """The chain must still hold a checkpoint at or after ``expect_seq``."""
    last = report.last_checkpoint_seq or 0
    if last < expect_seq:
        report.add(
            last + 1,
            "missing",
            f"the newest checkpoint is at seq {last}, but seq {expect_seq} was signed "
            "before: the newest records and their checkpoints were deleted",
        )
    elif expect_seq not in found and (report.first_seq or 0) <= expect_seq:
        report.add(expect_seq, "missing", f"record {expect_seq}, seen signed before, is gone")


def verify_audit(
    engine: Engine, public_pem: bytes | None, expect_seq: int | None = None
) -> VerifyReport:
    """Check the whole audit trail.

    Args:
        engine: The store's engine.
        public_pem: The signing key's public half (checkpoints are reported as
            unverifiable without it).
        expect_seq: A seq the caller saw covered by a checkpoint before (e.g. the
            ``last_checkpoint_seq`` of the previous verification, kept elsewhere);
            a chain cut back below it is reported.

    Returns:
        The report; ``report.ok`` is the verdict, ``report.first_issue`` the first bad record.
    """
    began = time.perf_counter()
    report = VerifyReport()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(CHECKPOINTS).order_by(CHECKPOINTS.c.seq)).all()
    checkpoints = [_Checkpoint(int(r.seq), r.hash, r.at, r.signature) for r in rows]
    report.checkpoints = len(checkpoints)
    report.last_checkpoint_seq = checkpoints[-1].seq if checkpoints else None
    start = _start(engine, checkpoints, report)
    signed = {cp.seq for cp in checkpoints}
    wanted = signed | ({expect_seq} if expect_seq else set())
    found = _walk(engine, start, wanted, signed, report)
    _check_prune_recorded(engine, report)
    _check_checkpoints(checkpoints, found, public_pem, report)
    if expect_seq is not None:
        _check_expected(expect_seq, found, report)
    report.elapsed_s = time.perf_counter() - began
    return report
