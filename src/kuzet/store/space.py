"""The storage guard: free-space watermarks of the data and media dirs.

``StorageGuard.check`` looks at the free space of each watched folder:

- above ``purge_below`` bytes free: ``ok``;
- below it: the oldest media that no legal hold protects are purged (snapshots
  with their redacted copies, then whatever the extra purgers hold, e.g.
  recordings) until free space is back above the mark: ``purging``;
- below ``floor`` bytes free even after purging: ``floor``. Media writing pauses
  (``MediaStore`` refuses under its floor), analysis and events continue, and
  the state is logged as an error and reported in camera health.

The guard never deletes the database, the outbox or anything outside media.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kuzet.store.media import free_bytes

log = logging.getLogger(__name__)


class MediaPurger(Protocol):
    """Frees space by deleting the oldest unheld media of one kind (hook for recordings)."""

    def purge_oldest(self, need: int, held: frozenset[str]) -> tuple[int, list[str]]:
        """Delete oldest-first until ``need`` bytes are freed; returns (bytes, keys deleted).

        Args:
            need: Bytes to free.
            held: Event ids under legal hold; their media are never deleted.
        """
        ...


class SnapshotPurger:
    """Oldest-first deletion of event snapshots (``snapshots/`` and ``redacted/snapshots/``).

    Args:
        root: The media folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _groups(self) -> list[tuple[float, str, list[Path]]]:
        # (mtime, snapshot key, [the snapshot, its redacted copy]) oldest first
        groups: dict[str, tuple[float, list[Path]]] = {}
        for top in ("snapshots", "redacted/snapshots"):
            folder = self.root / top
            for path in folder.rglob("*.jpg") if folder.is_dir() else ():
                key = path.relative_to(self.root).as_posix().removeprefix("redacted/")
                try:
                    mtime = path.stat().st_mtime
                except FileNotFoundError:
                    continue
                old_mtime, paths = groups.get(key, (mtime, []))
                groups[key] = (min(old_mtime, mtime), [*paths, path])
        return sorted((mtime, key, paths) for key, (mtime, paths) in groups.items())

    def purge_oldest(self, need: int, held: frozenset[str]) -> tuple[int, list[str]]:
        """Delete the oldest snapshots (with their redacted copies) not held until ``need``
        bytes are freed; returns (bytes freed, snapshot keys deleted)."""
        freed, keys = 0, []
        for _, key, paths in self._groups():
            if freed >= need:
                break
            if Path(key).stem in held:  # file name = event id
                continue
            for path in paths:
                try:
                    size = path.stat().st_size
                    path.unlink()
                except FileNotFoundError:
                    continue
                freed += size
            keys.append(key)
        return freed, keys


@dataclass(frozen=True, slots=True)
class GuardState:
    """The latest check.

    Attributes:
        state: ``ok``, ``purging`` (purged this time, now above the floor) or ``floor``.
        free: Free bytes per watched folder after the check.
        purged: Media keys deleted by this check.
        reason: Human-readable summary ("" when ok).
    """

    state: str = "ok"
    free: dict[str, int] = field(default_factory=dict)
    purged: tuple[str, ...] = ()
    reason: str = ""


class StorageGuard:
    """Keeps free space above the watermarks of each watched folder.

    Args:
        folders: Folders to watch (data dir, media dir; one filesystem is checked once).
        purge_below: High watermark in bytes (0 = never purge).
        floor: Hard floor in bytes (0 = none).
        purgers: Media purgers, tried in order (snapshots first).
        held: Event ids under legal hold, asked at each purge.
        on_purged: Told the keys deleted (e.g. to clear the events' snapshot keys).
    """

    def __init__(  # noqa: PLR0913 - each is a separate collaborator
        self,
        folders: Sequence[Path],
        purge_below: int,
        floor: int,
        purgers: Sequence[MediaPurger],
        held: Callable[[], Iterable[str]] = frozenset,
        on_purged: Callable[[list[str]], None] = lambda keys: None,
    ) -> None:
        self.folders = list(folders)
        self.purge_below = purge_below
        self.floor = floor
        self.purgers = list(purgers)
        self._held = held
        self._on_purged = on_purged
        self.state = GuardState()

    def check(self) -> GuardState:
        """Measure, purge if below the high mark, and report."""
        free = {str(f): free_bytes(f) for f in self.folders}
        purged: list[str] = []
        if self.purge_below and min(free.values()) < self.purge_below:
            purged = self._purge(self.purge_below - min(free.values()))
            free = {str(f): free_bytes(f) for f in self.folders}
        low = min(free.values())
        if self.floor and low < self.floor:
            state = GuardState("floor", free, tuple(purged),
                               f"disk below floor: {low / 2**20:.0f} MB free; media paused")
            if self.state.state != "floor":
                log.error("STORAGE FLOOR: %s (media writing paused, analysis continues)",
                          state.reason)
        elif purged:
            state = GuardState("purging", free, tuple(purged),
                               f"purged {len(purged)} media files; {low / 2**20:.0f} MB free")
        else:
            state = GuardState("ok", free)
        if state.state == "ok" and self.state.state == "floor":
            log.warning("storage above the floor again: media writing resumes")
        self.state = state
        return state

    def _purge(self, need: int) -> list[str]:
        held = frozenset(self._held())
        keys: list[str] = []
        freed = 0
        for purger in self.purgers:
            if freed >= need:
                break
            got, deleted = purger.purge_oldest(need - freed, held)
            freed += got
            keys.extend(deleted)
        if keys:
            log.warning("storage guard purged %d media files (%.1f MB), oldest first",
                        len(keys), freed / 2**20)
            self._on_purged(keys)
        return keys
