"""Cutting the audit trail (issue 14, finding 9): deleted tails, rewound heads and deleted
checkpoints are found as far as a hash chain with signed checkpoints allows; what it
cannot see (an unsigned tail) is reported; the CLI and the server sign their writes."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.privacy.audit import AuditLog
from kuzet.privacy.audit_checkpoints import CheckpointTimer
from kuzet.privacy.audit_verify import verify_audit
from kuzet.privacy.keys import Signer
from kuzet.store import Store, open_store

# _fill(25) with a checkpoint every 10 records, then close(): events at 1-10, 12-21,
# 23-27; audit.checkpoint records (each signed) at 11, 22 and 28.
CHECKPOINTS = (11, 22, 28)


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[tuple[Store, AuditLog, Signer]]:
    store = open_store(None, tmp_path)
    signer = Signer.load_or_create(tmp_path)
    yield store, AuditLog(store.engine, signer, checkpoint_every=10), signer
    store.close()


def _fill(audit: AuditLog, n: int) -> None:
    for i in range(n):
        audit.record("event.view", actor="ana", target=f"ev-{i}", details={"i": i})


def _sql(tmp_path: Path, *statements: str) -> None:
    with sqlite3.connect(tmp_path / "kuzet.db") as conn:
        for statement in statements:
            conn.execute(statement)


def _rewind_head(seq: int) -> str:
    last = f"(SELECT hash FROM audit_log WHERE seq = {seq})"
    return f"UPDATE audit_head SET seq = {seq}, hash = {last}"


def _verify_cli(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", "verify", "--data-dir", str(tmp_path), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("seq", CHECKPOINTS)
def test_deleting_a_checkpoint_is_detected(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path, seq: int
) -> None:
    """Before: deleting checkpoint rows verified OK."""
    store, audit, signer = opened
    _fill(audit, 25)
    audit.close()
    assert verify_audit(store.engine, signer.public_pem()).checkpoints == 3
    _sql(tmp_path, f"DELETE FROM audit_checkpoints WHERE seq = {seq}")
    first = verify_audit(store.engine, signer.public_pem()).first_issue
    assert first is not None and (first.seq, first.kind) == (seq, "checkpoint")
    assert "checkpoint is gone" in first.detail
    code, output = _verify_cli(tmp_path)
    assert code == 1 and f"FAILED at record {seq}: checkpoint" in output


def test_deleting_every_checkpoint_is_detected(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path
) -> None:
    store, audit, signer = opened
    _fill(audit, 25)
    audit.close()
    _sql(tmp_path, "DELETE FROM audit_checkpoints")
    report = verify_audit(store.engine, signer.public_pem())
    assert [(i.seq, i.kind) for i in report.issues] == [(s, "checkpoint") for s in CHECKPOINTS]


@pytest.mark.parametrize(("cut_from", "first_seq"), [(24, 28), (15, 22)])
def test_tail_deleted_and_head_rewound_past_a_checkpoint_is_detected(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path, cut_from: int, first_seq: int
) -> None:
    store, audit, signer = opened
    _fill(audit, 25)
    audit.close()
    _sql(tmp_path, f"DELETE FROM audit_log WHERE seq >= {cut_from}", _rewind_head(cut_from - 1))
    report = verify_audit(store.engine, signer.public_pem())
    assert report.first_issue is not None
    assert (report.first_issue.seq, report.first_issue.kind) == (first_seq, "missing")


def test_cut_below_the_newest_checkpoint_needs_a_witness(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path
) -> None:
    """Deleting the newest checkpoint with every record from it on and rewinding the head
    leaves a consistent shorter chain; a seq the auditor saw signed before still tells."""
    store, audit, signer = opened
    _fill(audit, 25)
    audit.close()
    seen = verify_audit(store.engine, signer.public_pem()).last_checkpoint_seq
    assert seen == 28
    _sql(
        tmp_path,
        "DELETE FROM audit_log WHERE seq >= 23",
        "DELETE FROM audit_checkpoints WHERE seq = 28",
        _rewind_head(22),
    )
    assert verify_audit(store.engine, signer.public_pem()).ok  # the database alone cannot
    report = verify_audit(store.engine, signer.public_pem(), expect_seq=seen)
    assert report.first_issue is not None and report.first_issue.kind == "missing"
    assert "seq 28 was signed before" in report.first_issue.detail
    code, output = _verify_cli(tmp_path, "--expect-seq", "28")
    assert code == 1 and "FAILED" in output
    assert _verify_cli(tmp_path, "--expect-seq", "22")[0] == 0


def test_records_after_the_last_checkpoint_are_reported(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path
) -> None:
    """Before: verify said OK without a word about records no signature covered."""
    store, audit, signer = opened
    _fill(audit, 25)  # no close(): 23..27 follow the checkpoint at 22
    report = verify_audit(store.engine, signer.public_pem())
    assert report.ok and (report.last_checkpoint_seq, report.unsigned) == (22, 5)
    assert report.to_json()["unsigned"] == 5
    code, output = _verify_cli(tmp_path)
    assert code == 0
    assert "WARNING: 5 records (seq 23..27) follow the last signed checkpoint" in output
    assert _verify_cli(tmp_path, "--strict")[0] == 1
    audit.close()
    assert _verify_cli(tmp_path, "--strict")[0] == 0


def test_cli_commands_sign_what_they_write(tmp_path: Path) -> None:
    """Before: the CLI wrote audit records and never a checkpoint."""
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    for args in (["users", "create-admin"], ["users", "add", "ana", "--role", "operator"]):
        result = runner.invoke(app, [*args, *data], input="cli-password-123\n")
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["tokens", "create", "ana", "--name", "ci", *data])
    assert result.exit_code == 0, result.output
    code, output = _verify_cli(tmp_path, "--strict")
    assert code == 0, output
    with sqlite3.connect(tmp_path / "kuzet.db") as conn:
        actions = [a for (a,) in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions == [
        "user.create", "audit.checkpoint",
        "user.create", "audit.checkpoint",
        "token.create", "audit.checkpoint",
    ]


def test_the_server_timer_signs_a_quiet_tail(opened: tuple[Store, AuditLog, Signer]) -> None:
    """Checkpoints were due only on the next append, so a quiet tail stayed unsigned."""
    store, _, signer = opened
    audit = AuditLog(store.engine, signer, checkpoint_interval_s=3600)
    _fill(audit, 3)
    assert verify_audit(store.engine, signer.public_pem()).unsigned == 3
    timer = CheckpointTimer(audit, 0.2)
    timer.start()
    try:
        deadline = time.monotonic() + 10
        while verify_audit(store.engine, signer.public_pem()).unsigned:
            assert time.monotonic() < deadline, "no periodic checkpoint"
            time.sleep(0.1)
        time.sleep(0.6)  # idle: nothing new to sign, so no new records either
        report = verify_audit(store.engine, signer.public_pem())
    finally:
        timer.stop()
    assert report.ok and (report.records, report.checkpoints, report.unsigned) == (4, 1, 0)
