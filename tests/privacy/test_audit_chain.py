"""The audit hash chain: tampering with any record, deleting the newest or a middle
record is found and named; a clean chain passes; the real CLI agrees."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from kuzet.privacy.audit import AuditLog, AuditQuery
from kuzet.privacy.audit_verify import verify_audit
from kuzet.privacy.keys import Signer
from kuzet.store import Store, open_store


@pytest.fixture
def opened(tmp_path: Path, db_url: str | None) -> Iterator[tuple[Store, AuditLog, Signer]]:
    store = open_store(db_url, tmp_path)
    if db_url is not None:  # the CLI finds the PostgreSQL store through a config file
        (tmp_path / "store.yml").write_text(
            f"store:\n  url: {db_url}\ncameras:\n  gate:\n    source: {{url: gate.mp4}}\n"
        )
    signer = Signer.load_or_create(tmp_path)
    yield store, AuditLog(store.engine, signer, checkpoint_every=10), signer
    store.close()


def _fill(audit: AuditLog, n: int = 30) -> None:
    for i in range(n):
        audit.record(
            "event.view",
            actor=f"user{i % 3}",
            ip="10.0.0.1",
            camera_id="gate",
            target=f"ev-{i}",
            details={"i": i, "why": "case 7"},
        )


def _sql(store: Store, statement: str) -> None:
    """Tamper with the database directly, as an attacker with database access would."""
    with store.engine.begin() as conn:
        conn.execute(sa.text(statement))


def _where(tmp_path: Path) -> list[str]:
    """The CLI's options to open the test's store (SQLite in the folder, or PostgreSQL)."""
    config = tmp_path / "store.yml"
    return ["--data-dir", str(tmp_path), *(["-c", str(config)] if config.is_file() else [])]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "kuzet.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_clean_chain_passes(opened: tuple[Store, AuditLog, Signer], tmp_path: Path) -> None:
    store, audit, signer = opened
    _fill(audit, 25)
    audit.close()
    report = verify_audit(store.engine, signer.public_pem())
    assert report.ok, report.issues
    # 25 records and 3 audit.checkpoint records (after 10, after 20 and on close),
    # each signed: seqs 11, 22 and 28
    assert (report.records, report.checkpoints) == (28, 3)
    assert (report.last_checkpoint_seq, report.unsigned) == (28, 0)
    proc = _cli("audit", "verify", *_where(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "OK: 28 records" in proc.stdout


@pytest.mark.parametrize(
    ("seq", "assignment"),
    [
        (1, "actor = 'mallory'"),
        (7, "actor = NULL"),
        (13, """details = '{"i": 999, "why": "case 7"}'"""),
        (20, "ip = '10.6.6.6'"),
        (24, "action = 'event.list'"),
        (9, "hash = '" + "f" * 64 + "'"),
        (16, "prev_hash = '" + "0" * 64 + "'"),
        (11, "at = '2020-01-01 00:00:00.000000'"),
    ],
)
def test_editing_a_row_is_named(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path, seq: int, assignment: str
) -> None:
    store, audit, signer = opened
    _fill(audit, 25)
    audit.close()
    _sql(store, f"UPDATE audit_log SET {assignment} WHERE seq = {seq}")
    report = verify_audit(store.engine, signer.public_pem())
    assert report.first_issue is not None
    assert report.first_issue.seq == seq
    assert report.first_issue.kind == "hash_mismatch"
    proc = _cli("audit", "verify", *_where(tmp_path), "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["first_issue"]["seq"] == seq


def test_rehashed_edit_breaks_the_next_link(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path
) -> None:
    store, audit, signer = opened
    _fill(audit, 5)
    # a forger who recomputes the edited record's hash still breaks record 4's link
    record = next(r for r in audit.list(AuditQuery(limit=10)).items if r.seq == 3)
    from dataclasses import replace

    forged = replace(record, actor="mallory")
    _sql(
        store,
        f"UPDATE audit_log SET actor='mallory', hash='{forged.compute_hash()}' WHERE seq=3",
    )
    first = verify_audit(store.engine, signer.public_pem()).first_issue
    assert first is not None and (first.seq, first.kind) == (4, "broken_link")


def test_deleting_a_middle_row_is_detected(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path
) -> None:
    store, audit, signer = opened
    _fill(audit, 25)
    audit.close()
    _sql(store, "DELETE FROM audit_log WHERE seq = 14")
    first = verify_audit(store.engine, signer.public_pem()).first_issue
    assert first is not None and (first.seq, first.kind) == (14, "missing")
    proc = _cli("audit", "verify", *_where(tmp_path))
    assert proc.returncode == 1
    assert "FAILED at record 14: missing" in proc.stderr


@pytest.mark.parametrize("fix_head", [False, True])
def test_deleting_the_newest_rows_is_detected(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path, fix_head: bool
) -> None:
    store, audit, signer = opened
    _fill(audit, 25)
    audit.close()  # checkpoint at 28
    _sql(store, "DELETE FROM audit_log WHERE seq >= 24")
    if fix_head:  # a careful forger also rewinds the head row; the checkpoint still tells
        _sql(
            store,
            "UPDATE audit_head SET seq = 23, hash = (SELECT hash FROM audit_log WHERE seq = 23)",
        )
    report = verify_audit(store.engine, signer.public_pem())
    assert not report.ok
    assert any(i.seq == 28 and i.kind == "missing" for i in report.issues)
    assert report.first_issue is not None
    assert report.first_issue.seq == (28 if fix_head else 24)
    proc = _cli("audit", "verify", *_where(tmp_path))
    assert proc.returncode == 1


def test_forged_checkpoint_signature_fails(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path
) -> None:
    store, audit, signer = opened
    _fill(audit, 12)
    _sql(store, "UPDATE audit_checkpoints SET signature = '" + "ab" * 64 + "' WHERE seq = 11")
    first = verify_audit(store.engine, signer.public_pem()).first_issue
    assert first is not None and (first.seq, first.kind) == (11, "checkpoint")


def test_pruned_prefix_verifies_from_its_anchor(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path
) -> None:
    store, audit, signer = opened
    _fill(audit, 25)
    future = datetime.now(UTC) + timedelta(days=1)
    deleted = audit.prune_before(future)
    assert deleted == 22  # up to the checkpoint at 22; 23..27 are newer than it
    report = verify_audit(store.engine, signer.public_pem())
    assert report.ok, report.issues
    assert report.anchor_seq == 22 and report.first_seq == 23
    assert audit.list(AuditQuery(limit=1)).items[0].action == "audit.pruned"
    _sql(store, "DELETE FROM audit_log WHERE seq = 23")  # still detected after pruning
    first = verify_audit(store.engine, signer.public_pem()).first_issue
    assert first is not None and (first.seq, first.kind) == (23, "missing")


def test_concurrent_appends_form_one_chain(opened: tuple[Store, AuditLog, Signer]) -> None:
    store, audit, signer = opened
    other = AuditLog(store.engine, signer)  # a second writer, as another process would be
    threads = [threading.Thread(target=_fill, args=(log, 40)) for log in (audit, other, audit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = verify_audit(store.engine, signer.public_pem())
    assert report.ok, report.issues[:3]
    assert report.records - report.checkpoints == 120  # each checkpoint adds its record


def test_list_filters_and_pages(opened: tuple[Store, AuditLog, Signer], tmp_path: Path) -> None:
    _, audit, _ = opened
    _fill(audit, 9)
    audit.record("export.create", actor="user1", target="x.zip")
    page = audit.list(AuditQuery(actor="user1", limit=2))
    assert [r.seq for r in page.items] == [10, 8]
    assert [
        r.seq for r in audit.list(AuditQuery(actor="user1", before_seq=page.next_before)).items
    ] == [5, 2]
    assert [r.seq for r in audit.list(AuditQuery(action="export.")).items] == [10]
    proc = _cli("audit", "list", *_where(tmp_path), "--actor", "user1", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["seq"] for line in proc.stdout.splitlines()] == [10, 8, 5, 2]


def test_config_change_is_recorded_once(opened: tuple[Store, AuditLog, Signer]) -> None:
    _, audit, _ = opened
    assert audit.note_config("a" * 64, "/etc/kuzet.yml")
    assert not audit.note_config("a" * 64, "/etc/kuzet.yml")
    assert audit.note_config("b" * 64, "/etc/kuzet.yml")
    changes = audit.list(AuditQuery(action="config.changed")).items
    assert [c.details["previous_sha256"] for c in changes] == ["a" * 64, None]


def test_keys_public_cli_and_file_mode(tmp_path: Path) -> None:
    proc = _cli("keys", "public", "--data-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert (tmp_path / "keys" / "signing_ed25519.pem").stat().st_mode & 0o777 == 0o600
    assert Signer.load_or_create(tmp_path).public_pem().decode().strip() == proc.stdout.strip()


def test_deleting_the_oldest_rows_without_retention_is_detected(
    opened: tuple[Store, AuditLog, Signer], tmp_path: Path
) -> None:
    store, audit, signer = opened
    _fill(audit, 25)
    _sql(store, "DELETE FROM audit_log WHERE seq <= 11")  # up to a real checkpoint
    first = verify_audit(store.engine, signer.public_pem()).first_issue
    assert first is not None and (first.seq, first.kind) == (1, "missing")
