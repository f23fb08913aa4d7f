"""The storage guard and the media floor on real files (issue 14, finding 5)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kuzet.store.media import MediaPaused, MediaStore, free_bytes
from kuzet.store.space import SnapshotPurger, StorageGuard

TB = 2**40


def _snapshots(root: Path, names: list[str]) -> None:
    for age, name in enumerate(reversed(names)):  # the first name is the oldest
        for top in ("snapshots", "redacted/snapshots"):
            path = root / top / "gate" / "2025" / "03" / "01" / f"{name}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x" * 1000)
            os.utime(path, (1_700_000_000 - age, 1_700_000_000 - age))


def test_purger_deletes_oldest_first_and_never_a_held_event(tmp_path: Path) -> None:
    _snapshots(tmp_path, ["e1", "e2", "e3", "e4"])
    freed, keys = SnapshotPurger(tmp_path).purge_oldest(3000, frozenset({"e1"}))
    assert freed == 4000  # two files (raw and redacted) per event
    assert [Path(k).stem for k in keys] == ["e2", "e3"]
    assert all(k.startswith("snapshots/") for k in keys)  # store keys, not file paths
    left = sorted(p.stem for p in (tmp_path / "snapshots").rglob("*.jpg"))
    assert left == ["e1", "e4"]


@pytest.mark.parametrize(
    ("purge_below", "floor", "state", "purged"),
    [
        (0, 0, "ok", 0),  # both off
        (1, 1, "ok", 0),  # far above both marks
        (TB, 0, "purging", 4),  # below the high mark: everything unheld goes, oldest first
        (TB, TB, "floor", 4),  # still below the floor after purging: media paused
    ],
)
def test_guard_states(
    tmp_path: Path, purge_below: int, floor: int, state: str, purged: int
) -> None:
    _snapshots(tmp_path, ["e1", "e2", "e3", "e4"])
    told: list[list[str]] = []
    guard = StorageGuard([tmp_path], purge_below, floor, [SnapshotPurger(tmp_path)],
                         on_purged=told.append)
    got = guard.check()
    assert (got.state, len(got.purged)) == (state, purged)
    assert told == ([list(got.purged)] if purged else [])
    assert (state == "ok") == (got.reason == "")


def test_media_refuses_writes_below_its_floor(tmp_path: Path) -> None:
    assert MediaStore(tmp_path, floor_free_bytes=1).put("a/b.jpg", b"x")
    paused = MediaStore(tmp_path, floor_free_bytes=free_bytes(tmp_path) + TB)
    with pytest.raises(MediaPaused, match="media writing paused"):
        paused.put("a/c.jpg", b"x")
    assert not (tmp_path / "a" / "c.jpg").exists()
