"""Redacted snapshot copies: cached on first use, fail closed, deleted with the snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kuzet.config.retention import RetentionConfig
from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity
from kuzet.privacy.audit import AuditLog
from kuzet.privacy.snapshots import RedactionUnavailable, redacted_copy, redacted_key
from kuzet.runtime.retention import retention_job
from kuzet.store import MediaStore, Store, open_store

NOW = datetime.now(UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(None, tmp_path)
    yield store
    store.close()


def _add(store: Store, media: MediaStore, event_id: str, days_ago: float) -> tuple[Path, Path]:
    started = NOW - timedelta(days=days_ago)
    key = f"snapshots/gate/{started:%Y/%m/%d}/{event_id}.jpg"
    digest = media.put(key, b"raw " + event_id.encode())
    media.put(redacted_key(key), b"redacted " + event_id.encode())
    store.events.upsert(
        Event(
            id=event_id,
            camera_id="gate",
            kind=EventKind.ZONE_PRESENCE,
            rule_id="r",
            phase=EventPhase.CLOSE,
            started_at=started,
            ended_at=started + timedelta(seconds=5),
            severity=Severity.ALERT,
            evidence=Evidence(snapshot_key=key, snapshot_sha256=digest),
        )
    )
    return media.path(key), media.path(redacted_key(key))


@pytest.mark.parametrize(
    ("config", "days_ago", "kept"),
    [
        (RetentionConfig(events=90, snapshots=30), 40, False),  # snapshot class expires
        (RetentionConfig(events=90, snapshots=None), 100, False),  # event class expires
        (RetentionConfig(events=90, snapshots=30), 5, True),
    ],
    ids=["snapshots", "events", "fresh"],
)
def test_retention_deletes_the_redacted_copy_with_the_snapshot(
    store: Store, tmp_path: Path, config: RetentionConfig, days_ago: float, kept: bool
) -> None:
    media = MediaStore(tmp_path / "media")
    raw, safe = _add(store, media, "e1", days_ago)
    report = retention_job(store.engine, media, AuditLog(store.engine), config).run()
    assert raw.exists() is kept and safe.exists() is kept
    assert report.files == (0 if kept else 2)


def test_redacted_copy_is_made_once_and_cached(tmp_path: Path) -> None:
    media = MediaStore(tmp_path)
    media.put("snapshots/a.jpg", b"raw")
    calls: list[bytes] = []

    def redact(data: bytes) -> bytes:
        calls.append(data)
        return b"safe " + data

    assert redacted_copy(media, "snapshots/a.jpg", redact) == b"safe raw"
    assert redacted_copy(media, "snapshots/a.jpg", redact) == b"safe raw"
    assert calls == [b"raw"] and media.get("redacted/snapshots/a.jpg") == b"safe raw"


def test_redaction_failure_fails_closed(tmp_path: Path) -> None:
    media = MediaStore(tmp_path)
    media.put("snapshots/a.jpg", b"raw")

    def broken(data: bytes) -> bytes:
        raise ValueError("not a decodable JPEG")

    with pytest.raises(RedactionUnavailable, match="snapshots/a.jpg.*not a decodable JPEG"):
        redacted_copy(media, "snapshots/a.jpg", broken)
    assert not media.exists("redacted/snapshots/a.jpg")
    with pytest.raises(KeyError):
        redacted_copy(media, "snapshots/missing.jpg", broken)
