"""1:N matching of face embeddings against every matchable watchlist entry.

The :class:`FaceIndex` holds the enrolled photos of active, unexpired entries;
it is rebuilt from the database on start (:meth:`Matcher.rebuild`) and updated
on enrolment, suspension and expiry changes (:meth:`Matcher.refresh_entry`).
Status, expiry and the per-list threshold are checked again, from the
database, for every candidate at match time, so an entry that expired a second
ago never matches even if the index still holds it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from kuzet.identity.index import FaceIndex
from kuzet.identity.models import (
    EMBEDDING_DIM,
    WatchlistEntryRow,
    WatchlistRow,
    embedding_array,
)
from kuzet.identity.watchlists import NotFoundError, WatchlistRepo, entry_matchable


@dataclass(frozen=True, slots=True)
class Hit:
    """A probe within the list threshold of an entry's photo.

    Attributes:
        entry: The matched entry.
        watchlist: Its list.
        photo_id: The nearest enrolled photo.
        distance: Euclidean distance (lower is closer); the match ``score``.
    """

    entry: WatchlistEntryRow
    watchlist: WatchlistRow
    photo_id: str
    distance: float


class Matcher:
    """Nearest entries of a probe within each list's threshold.

    Example:
        >>> matcher = Matcher(repo); matcher.rebuild()  # doctest: +SKIP
        >>> [h.entry.name for h in matcher.match(probe.embedding)]  # doctest: +SKIP
    """

    def __init__(self, repo: WatchlistRepo, k: int = 10) -> None:
        """Empty until :meth:`rebuild`; ``k`` nearest photos are checked per probe."""
        self.repo = repo
        self.k = k
        self.index = FaceIndex(dim=EMBEDDING_DIM)
        self._entry_of: dict[str, str] = {}
        self._lock = threading.Lock()
        self.max_threshold = 0.0

    def refresh_thresholds(self) -> float:
        """Re-read the largest list threshold (candidates farther away are never looked up)."""
        self.max_threshold = max((w.threshold for w in self.repo.lists()), default=0.0)
        return self.max_threshold

    def rebuild(self, now: datetime | None = None) -> int:
        """Load every matchable photo from the database; returns how many."""
        gallery = self.repo.gallery(now)
        self.refresh_thresholds()
        embeddings = (np.stack([g.embedding for g in gallery]) if gallery
                      else np.zeros((0, EMBEDDING_DIM), np.float32))
        with self._lock:
            self.index.build([g.photo_id for g in gallery], embeddings)
            self._entry_of = {g.photo_id: g.entry_id for g in gallery}
        return len(gallery)

    def refresh_entry(self, entry_id: str, now: datetime | None = None) -> None:
        """Re-read one entry's photos: add them if it can match, else remove them."""
        now = now or datetime.now(UTC)
        self.refresh_thresholds()
        try:
            entry = self.repo.get_entry(entry_id)
        except NotFoundError:
            entry = None
        photos = self.repo.photos([entry_id])[entry_id]
        with self._lock:
            for photo_id in [p for p, e in self._entry_of.items() if e == entry_id]:
                self.index.remove(photo_id)
                del self._entry_of[photo_id]
            if entry is None or not entry_matchable(entry, now):
                return
            for photo in photos:
                self.index.add(photo.id, embedding_array(photo.embedding))
                self._entry_of[photo.id] = entry_id

    def match(self, embedding: npt.ArrayLike, now: datetime | None = None) -> list[Hit]:
        """Entries within their list's threshold, nearest photo each, closest first."""
        now = now or datetime.now(UTC)
        with self._lock:
            found = self.index.search(np.asarray(embedding, np.float32), self.k)
            candidates = [(self._entry_of.get(pid), pid, d) for pid, d in found
                          if d <= self.max_threshold]
        if not candidates:
            return []
        known = self.repo.entries_with_lists([e for e, _, _ in candidates if e is not None])
        best: dict[str, Hit] = {}
        for entry_id, photo_id, distance in candidates:
            if entry_id is None or entry_id in best or entry_id not in known:
                continue
            entry, wl = known[entry_id]
            if entry_matchable(entry, now) and distance <= wl.threshold:
                best[entry_id] = Hit(entry, wl, photo_id, distance)
        return sorted(best.values(), key=lambda h: h.distance)
