"""Retention by days, by events mode and by quota: oldest unheld first, held never."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kuzet.config.record import RecordConfig
from kuzet.core.types import Event, EventKind, EventPhase
from kuzet.privacy.legal_hold import set_hold
from kuzet.record.index import SegmentIndex
from kuzet.record.retention import RecordingRetention
from kuzet.record.segment import Segment, segment_key
from kuzet.store import Store, open_store

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SIZE = 100_000  # bytes per test segment


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path / "data")
    yield opened
    opened.close()


def _segments(index: SegmentIndex, root: Path, camera: str, count: int) -> list[Segment]:
    """``count`` 4 s segments from T0 (files of SIZE bytes, indexed)."""
    out = []
    for i in range(count):
        start = T0 + timedelta(seconds=4 * i)
        key = segment_key(camera, start.timestamp())
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(b"\x00" * SIZE)
        seg = Segment(camera, start, start + timedelta(seconds=4), key, SIZE, "h264", "0" * 64)
        index.add(seg)
        out.append(seg)
    return out


def _event(store: Store, event_id: str, camera: str, at_s: float, held: bool) -> None:
    start = T0 + timedelta(seconds=at_s)
    store.events.upsert(
        Event(event_id, camera, EventKind.LOITERING, "r", EventPhase.CLOSE, start,
              ended_at=start + timedelta(seconds=2))
    )
    if held:
        set_hold(store.engine, event_id, held=True, by="analyst", reason="case 7")


def _left(index: SegmentIndex, segs: list[Segment]) -> list[int]:
    keys = index.keys()
    return [i for i, s in enumerate(segs) if s.key in keys]


@pytest.mark.parametrize(
    ("quota_segments", "held_at_s", "expected_left"),
    [
        (10, None, list(range(10, 20))),  # oldest first, down to the quota
        (10, 9.0, [2, *range(11, 20)]),  # held span 8..12 s (pre/post 1 s) = seg 2
        (0.5, 9.0, [2]),  # quota below what is held: the held segment stays anyway
    ],
)
def test_quota_deletes_oldest_unheld(
    store: Store, tmp_path: Path, quota_segments: float, held_at_s: float | None,
    expected_left: list[int],
) -> None:
    root = tmp_path / "media"
    index = SegmentIndex(store.engine)
    segs = _segments(index, root, "gate", 20)
    if held_at_s is not None:
        _event(store, "held", "gate", held_at_s, held=True)
    cfg = RecordConfig(enabled=True, days=None, pre_s=1, post_s=1,
                       quota_gb=quota_segments * SIZE / 1e9)
    report = RecordingRetention(index, root, cfg, {"gate": cfg}).run(T0 + timedelta(hours=1))
    assert _left(index, segs) == expected_left
    for i, seg in enumerate(segs):
        assert (root / seg.key).exists() == (i in expected_left)
    assert report.over_quota == (len(expected_left) > quota_segments)
    assert report.removed["quota"] == 20 - len(expected_left)


def test_days_keep_held_and_events_mode_keeps_spans(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "media"
    index = SegmentIndex(store.engine)
    old = _segments(index, root, "gate", 5)  # T0 .. T0+20 s, 4 s each
    events = _segments(index, root, "yard", 10)  # T0 .. T0+40 s
    _event(store, "kept", "gate", 9.0, held=True)  # 9..11 s
    _event(store, "span", "yard", 21.0, held=False)  # 21..23 s
    cfg_days = RecordConfig(enabled=True, days=1, pre_s=5, post_s=5)
    cfg_events = RecordConfig(enabled=True, days=None, mode="events", pre_s=5, post_s=5)
    job = RecordingRetention(index, root, RecordConfig(), {"gate": cfg_days, "yard": cfg_events})
    report = job.run(T0 + timedelta(days=2))
    assert _left(index, old) == [1, 2, 3]  # span of the held event: 4 .. 16 s
    assert _left(index, events) == [4, 5, 6]  # 16 .. 28 s
    assert report.removed == {"days": 2, "events": 7, "quota": 0, "cache": 0}
    assert report.held == 3


def test_undeletable_file_is_counted_not_raised(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "media"
    index = SegmentIndex(store.engine)
    segs = _segments(index, root, "gate", 3)
    (root / segs[0].key).unlink()
    (root / segs[0].key).mkdir()  # unlink() of a folder fails: a stuck file
    cfg = RecordConfig(enabled=True, days=1)
    report = RecordingRetention(index, root, cfg, {"gate": cfg}).run(T0 + timedelta(days=2))
    assert report.errors == 1 and report.removed["days"] == 2
    assert index.keys() == {segs[0].key}


def test_old_playback_copies_are_pruned(store: Store, tmp_path: Path) -> None:
    import os

    root = tmp_path / "media"
    folder = root / "cache" / "spans" / "gate"
    folder.mkdir(parents=True)
    old, fresh = folder / "a.mp4", folder / "b.redacted.mp4"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    now = T0 + timedelta(days=1)
    os.utime(old, (now.timestamp() - 7200, now.timestamp() - 7200))
    os.utime(fresh, (now.timestamp() - 60, now.timestamp() - 60))
    job = RecordingRetention(SegmentIndex(store.engine), root, RecordConfig(), {})
    assert job.run(now).removed["cache"] == 1
    assert not old.exists() and fresh.exists()
