"""Retention with legal hold (real files in a real media dir) and signed exports
(every kind of tampering is named by `kuzet export verify`)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kuzet.config.retention import RetentionConfig
from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity
from kuzet.privacy.audit import AuditLog, AuditQuery
from kuzet.privacy.export import ExportRequest, build_export, verify_export
from kuzet.privacy.export_media import MediaPolicy
from kuzet.privacy.keys import Signer
from kuzet.privacy.legal_hold import get_hold, set_hold
from kuzet.privacy.snapshots import redacted_key
from kuzet.runtime.retention import retention_job
from kuzet.store import MediaStore, Store, open_store

NOW = datetime.now(UTC)


@dataclass
class Env:
    store: Store
    media: MediaStore
    audit: AuditLog
    signer: Signer
    data_dir: Path


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    store = open_store(None, tmp_path)
    signer = Signer.load_or_create(tmp_path)
    yield Env(
        store, MediaStore(tmp_path / "media"), AuditLog(store.engine, signer), signer, tmp_path
    )
    store.close()


def _add(env: Env, event_id: str, days_ago: float, camera: str = "gate") -> Path:
    started = NOW - timedelta(days=days_ago)
    key = f"snapshots/{camera}/{started:%Y/%m/%d}/{event_id}.jpg"
    digest = env.media.put(key, b"\xff\xd8 jpeg of " + event_id.encode())
    env.store.events.upsert(
        Event(
            id=event_id,
            camera_id=camera,
            kind=EventKind.ZONE_PRESENCE,
            rule_id="r",
            phase=EventPhase.CLOSE,
            started_at=started,
            ended_at=started + timedelta(seconds=5),
            severity=Severity.ALERT,
            evidence=Evidence(snapshot_key=key, snapshot_sha256=digest),
        )
    )
    return env.media.path(key)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "kuzet.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_retention_deletes_expired_files_but_not_held_ones(env: Env) -> None:
    old = _add(env, "old", days_ago=40)
    held = _add(env, "held", days_ago=40)
    fresh = _add(env, "fresh", days_ago=1)
    ancient = _add(env, "ancient", days_ago=200)
    held_ancient = _add(env, "held-ancient", days_ago=200)
    for event_id in ("held", "held-ancient"):
        assert set_hold(env.store.engine, event_id, held=True, by="ana", reason="case 42")
    config = RetentionConfig(events=90, snapshots=30)
    report = retention_job(env.store.engine, env.media, env.audit, config).run()
    assert not old.exists() and not ancient.exists()
    assert held.exists() and held_ancient.exists() and fresh.exists()
    assert env.store.events.get("ancient") is None  # past events: the row goes too
    old_row = env.store.events.get("old")  # past snapshots only: the row stays, keyless
    assert old_row is not None and old_row.snapshot_key is None
    held_row = env.store.events.get("held-ancient")
    assert held_row is not None and held_row.snapshot_key is not None
    assert report.removed["events"] == 1 and report.removed["snapshots"] == 1
    assert report.held == 2
    last = env.audit.list(AuditQuery(action="retention.run")).items[0]
    assert last.details["removed"]["events"] == 1


def test_released_hold_is_purged_and_dry_run_keeps_everything(env: Env) -> None:
    path = _add(env, "e1", days_ago=100)
    set_hold(env.store.engine, "e1", held=True, by="ana", reason="case 1")
    set_hold(env.store.engine, "e1", held=False, by="ana", reason="case closed")
    state = get_hold(env.store.engine, "e1")
    assert state is not None and not state.held and state.reason == "case closed"
    job = retention_job(env.store.engine, env.media, env.audit, RetentionConfig())
    assert job.run(dry_run=True).removed["events"] == 1
    assert path.exists()
    proc = _cli("retention", "run", "--data-dir", str(env.data_dir))
    assert proc.returncode == 0, proc.stderr
    assert "removed: events 1" in proc.stdout
    assert not path.exists()


def test_hold_needs_a_reason(env: Env) -> None:
    _add(env, "e1", days_ago=1)
    with pytest.raises(ValueError, match="reason"):
        set_hold(env.store.engine, "e1", held=True, by="ana", reason="  ")
    assert set_hold(env.store.engine, "nope", held=True, by="ana", reason="x") is None


@pytest.fixture
def export_zip(env: Env, tmp_path: Path) -> Path:
    for i in range(3):
        _add(env, f"ev-{i}", days_ago=0.01 * (i + 1))
    request = ExportRequest(
        "case 7 request", "ana", camera_id="gate", since=NOW - timedelta(days=1)
    )
    data, events = build_export(
        env.store.events, env.media, env.signer, request, MediaPolicy.originals()
    )
    assert len(events) == 3
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    return path


def _rewrite(path: Path, change: str) -> None:
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    media = sorted(n for n in entries if n.startswith("media/"))[0]
    if change == "media-byte":
        flipped = bytearray(entries[media])
        flipped[3] ^= 0x01
        entries[media] = bytes(flipped)
    elif change == "metadata":
        entries["metadata.json"] = entries["metadata.json"].replace(b"gate", b"gata", 1)
    elif change == "manifest":
        entries["manifest.json"] = entries["manifest.json"].replace(b"sha256", b"sha257", 1)
    elif change == "add":
        entries["media/extra.jpg"] = b"planted"
    elif change == "remove":
        del entries[media]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def test_untouched_export_passes(export_zip: Path, env: Env) -> None:
    with zipfile.ZipFile(export_zip) as archive:
        names = set(archive.namelist())
        custody = json.loads(archive.read("custody.json"))
    assert {"metadata.json", "manifest.json", "custody.json", "signature.ed25519"} <= names
    assert "public_key.pem" in names and sum(n.startswith("media/") for n in names) == 3
    assert custody["exported_by"] == "ana" and custody["reason"] == "case 7 request"
    assert custody["system"]["software"].startswith("kuzet ")
    assert verify_export(export_zip.read_bytes(), env.signer.public_pem()).ok
    key = env.data_dir / "pub.pem"
    key.write_bytes(env.signer.public_pem())
    proc = _cli("export", "verify", str(export_zip), "--public-key", str(key))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK: signature valid")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("media-byte", "modified: media/snapshots/gate/"),
        ("metadata", "modified: metadata.json"),
        ("manifest", "modified: manifest.json"),
        ("add", "extra: media/extra.jpg"),
        ("remove", "missing: media/snapshots/gate/"),
    ],
)
def test_modified_export_fails(export_zip: Path, change: str, expected: str) -> None:
    _rewrite(export_zip, change)
    check = verify_export(export_zip.read_bytes())
    assert not check.ok
    assert any(p.startswith(expected) for p in check.problems), check.problems
    proc = _cli("export", "verify", str(export_zip))
    assert proc.returncode == 1
    assert expected in proc.stderr


def test_export_with_another_key_fails(export_zip: Path, tmp_path: Path) -> None:
    other = Signer.load_or_create(tmp_path / "other").public_pem()
    check = verify_export(export_zip.read_bytes(), other)
    assert not check.ok and not check.signature_ok


def _zip_media(path: Path) -> tuple[list[bytes], dict[str, Any]]:
    with zipfile.ZipFile(path) as archive:
        media = [archive.read(n) for n in archive.namelist() if n.startswith("media/")]
        return media, json.loads(archive.read("custody.json"))


def test_export_cli_redacts_unless_unredacted_with_a_reason(env: Env, tmp_path: Path) -> None:
    raw = _add(env, "ev-x", days_ago=0.01).read_bytes()
    key = env.store.events.get("ev-x").snapshot_key
    base = ["export", "create", "--event", "ev-x", "--reason", "court order 9", "--user", "bob"]
    data_dir = ["--data-dir", str(env.data_dir)]
    # the stored bytes are no JPEG: redaction fails, the image is left out (fail closed)
    proc = _cli(*base, "--out", str(tmp_path / "a.zip"), *data_dir)
    assert proc.returncode == 0, proc.stderr
    assert "1 images left out" in proc.stderr
    media, custody = _zip_media(tmp_path / "a.zip")
    assert media == [] and "cannot redact" in custody["media_omitted"][0]["reason"]
    env.media.put(redacted_key(key), b"\xff\xd8 blurred")  # the camera worker's copy
    proc = _cli(*base, "--out", str(tmp_path / "b.zip"), *data_dir)
    assert verify_export((tmp_path / "b.zip").read_bytes(), env.signer.public_pem()).ok
    assert _zip_media(tmp_path / "b.zip")[0] == [b"\xff\xd8 blurred"]
    assert _cli(*base, "--unredacted", " ", *data_dir).returncode == 2
    proc = _cli(*base, "--unredacted", "judge asked", "--out", str(tmp_path / "c.zip"), *data_dir)
    assert proc.returncode == 0, proc.stderr
    media, custody = _zip_media(tmp_path / "c.zip")
    assert media == [raw] and custody["media_redacted"] is False
    records = env.audit.list(AuditQuery(action="export.create")).items
    assert [r.details["redacted"] for r in records] == [False, True, True]  # newest first
    assert (records[0].actor, records[0].details["unredacted_reason"]) == ("bob", "judge asked")
    assert _cli("export", "create", "--event", "ev-x", "--reason", " ").returncode == 2


def test_build_export_redacts_through_the_policy(env: Env) -> None:
    _add(env, "ev-x", days_ago=0.01)
    request = ExportRequest("r", "ana", event_id="ev-x")
    data, _ = build_export(
        env.store.events, env.media, env.signer, request, MediaPolicy(lambda jpeg: b"REDACTED")
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        media = [n for n in archive.namelist() if n.startswith("media/")]
        assert archive.read(media[0]) == b"REDACTED"
        assert json.loads(archive.read("custody.json"))["media_redacted"] is True
