"""1:N face search: exact numpy for small galleries, FAISS for large ones.

One :class:`FaceIndex` holds (id, 128-D embedding) rows and answers
"which k rows are nearest to this probe?" by Euclidean distance, ascending.
The backend is chosen by size (``auto``) and is invisible to callers:

* ``numpy``: exact, brute force; up to ``exact_max`` rows (default 20,000).
* ``flat``: FAISS ``IndexFlatL2``; exact, SIMD; up to ``flat_max`` rows (200,000).
* ``ivf``: FAISS ``IndexIVFFlat`` trained on the data itself; approximate
  (``nprobe`` lists of ``nlist`` are searched); above ``flat_max``.

The numpy rows are the source of truth; the FAISS index is rebuilt lazily on the
next search after a change that it cannot absorb incrementally.
"""

from __future__ import annotations

import math
import threading
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Backend = Literal["auto", "numpy", "flat", "ivf"]
F32 = npt.NDArray[np.float32]


class FaceIndex:
    """A mutable 1:N nearest-neighbour index over face embeddings.

    Thread-safe: one lock guards every read and write.

    Example:
        >>> idx = FaceIndex(dim=4)
        >>> idx.build(["a", "b"], np.eye(2, 4, dtype=np.float32))
        >>> idx.search(np.array([1, 0, 0, 0], np.float32), k=1)
        [('a', 0.0)]
    """

    def __init__(self, dim: int = 128, backend: Backend = "auto", exact_max: int = 20_000,
                 flat_max: int = 200_000, nprobe: int = 24) -> None:
        """Create an empty index.

        Args:
            dim: Embedding size.
            backend: ``auto`` (by size), or force ``numpy``, ``flat`` or ``ivf``.
            exact_max: Largest size searched with numpy under ``auto``.
            flat_max: Largest size searched with a flat FAISS index under ``auto``.
            nprobe: IVF lists visited per query (recall vs speed).

        Raises:
            ValueError: ``dim`` is not positive or ``backend`` is unknown.
        """
        if dim <= 0:
            raise ValueError(f"FaceIndex: dim must be positive, got {dim}")
        if backend not in ("auto", "numpy", "flat", "ivf"):
            raise ValueError(f"FaceIndex: unknown backend {backend!r} "
                             "(expected auto, numpy, flat or ivf)")
        self.dim, self._backend, self.nprobe = dim, backend, nprobe
        self.exact_max, self.flat_max = exact_max, flat_max
        self._lock = threading.Lock()
        self._vecs: F32 = np.zeros((0, dim), np.float32)
        self._norms: F32 = np.zeros(0, np.float32)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._faiss: Any = None
        self._faiss_kind = ""

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item: object) -> bool:
        return item in self._row

    @property
    def backend(self) -> str:
        """The backend searches use at the current size (``numpy``, ``flat`` or ``ivf``)."""
        if self._backend != "auto":
            return self._backend
        n = len(self._ids)
        return "numpy" if n <= self.exact_max else "flat" if n <= self.flat_max else "ivf"

    def build(self, ids: list[str], embeddings: npt.ArrayLike) -> None:
        """Replace the whole content.

        Args:
            ids: One unique id per row.
            embeddings: (N, dim) embeddings, row i belonging to ``ids[i]``.

        Raises:
            ValueError: Shapes disagree or an id repeats.
        """
        vecs = self._check_matrix(embeddings)
        if vecs.shape[0] != len(ids):
            raise ValueError(f"FaceIndex.build: {len(ids)} ids but {vecs.shape[0]} embeddings")
        row = {i: n for n, i in enumerate(ids)}
        if len(row) != len(ids):
            raise ValueError("FaceIndex.build: ids must be unique "
                             f"({len(ids) - len(row)} duplicates)")
        with self._lock:
            self._vecs = np.ascontiguousarray(vecs)
            self._norms = np.einsum("ij,ij->i", vecs, vecs).astype(np.float32)
            self._ids, self._row = list(ids), row
            self._faiss = None

    def add(self, id_: str, embedding: npt.ArrayLike) -> None:
        """Add one row, replacing the row with the same id if there is one.

        Args:
            id_: Row id.
            embedding: (dim,) embedding.

        Raises:
            ValueError: Wrong shape or non-finite values.
        """
        vec = self._check_matrix(np.asarray(embedding, np.float32).reshape(1, -1))
        with self._lock:
            if id_ in self._row:
                self._remove_locked(id_)
                self._faiss = None
            self._row[id_] = len(self._ids)
            self._ids.append(id_)
            self._vecs = np.concatenate([self._vecs, vec])
            self._norms = np.append(self._norms, np.float32(vec[0] @ vec[0]))
            if self._faiss is not None and self._faiss_kind == self.backend:
                self._faiss.add(vec)  # labels are row numbers: appended rows line up
            else:
                self._faiss = None

    def remove(self, id_: str) -> bool:
        """Remove one row.

        Args:
            id_: Row id.

        Returns:
            True when the id was present.
        """
        with self._lock:
            if id_ not in self._row:
                return False
            self._remove_locked(id_)
            self._faiss = None
            return True

    def search(self, query: npt.ArrayLike, k: int = 5) -> list[tuple[str, float]]:
        """Nearest rows to one probe.

        Args:
            query: (dim,) probe embedding.
            k: Number of neighbours wanted.

        Returns:
            Up to ``k`` ``(id, euclidean distance)`` pairs, nearest first.

        Raises:
            ValueError: Wrong query shape or ``k`` < 1.
        """
        if k < 1:
            raise ValueError(f"FaceIndex.search: k must be >= 1, got {k}")
        q = self._check_matrix(np.asarray(query, np.float32).reshape(1, -1))[0]
        with self._lock:
            n = len(self._ids)
            if n == 0:
                return []
            k = min(k, n)
            kind = self.backend
            if kind == "numpy":
                rows, d2 = self._search_numpy(q, k)
            else:
                rows, d2 = self._search_faiss(kind, q, k)
            return [(self._ids[r], math.sqrt(max(float(d), 0.0)))
                    for r, d in zip(rows, d2, strict=True) if r >= 0]

    def _check_matrix(self, data: npt.ArrayLike) -> F32:
        arr = np.asarray(data, dtype=np.float32)
        if arr.ndim != 2 or arr.shape[1] != self.dim:
            raise ValueError(f"FaceIndex: expected embeddings of shape (N, {self.dim}), "
                             f"got {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError("FaceIndex: embeddings contain NaN or infinity")
        return arr

    def _remove_locked(self, id_: str) -> None:
        """Swap-delete: the last row takes the removed row's place."""
        r, last = self._row.pop(id_), len(self._ids) - 1
        if r != last:
            moved = self._ids[last]
            self._ids[r], self._row[moved] = moved, r
            self._vecs[r], self._norms[r] = self._vecs[last], self._norms[last]
        self._ids.pop()
        self._vecs, self._norms = self._vecs[:last].copy(), self._norms[:last].copy()

    def _search_numpy(self, q: F32, k: int) -> tuple[npt.NDArray[np.int64], F32]:
        d2 = self._norms - 2.0 * (self._vecs @ q) + np.float32(q @ q)
        part = np.argpartition(d2, k - 1)[:k] if k < d2.shape[0] else np.arange(d2.shape[0])
        order = part[np.argsort(d2[part], kind="stable")]
        return order.astype(np.int64), d2[order]

    def _search_faiss(self, kind: str, q: F32, k: int) -> tuple[npt.NDArray[np.int64], F32]:
        if self._faiss is None or self._faiss_kind != kind:
            self._faiss, self._faiss_kind = _build_faiss(kind, self._vecs, self.nprobe), kind
        d2, rows = self._faiss.search(q.reshape(1, -1), k)
        return rows[0].astype(np.int64), d2[0].astype(np.float32)


def _build_faiss(kind: str, vecs: F32, nprobe: int) -> Any:
    """A FAISS index over ``vecs`` whose labels are row numbers."""
    try:
        import faiss
    except ImportError as exc:
        raise RuntimeError("FaceIndex: faiss is not installed (pip install faiss-cpu); "
                           "large galleries need it") from exc
    n, dim = vecs.shape
    index: Any
    if kind == "flat" or n < 1000:
        index = faiss.IndexFlatL2(dim)
    else:
        nlist = max(16, min(4096, int(4 * math.sqrt(n)), n // 40))  # >= 40 points per list
        index = faiss.IndexIVFFlat(faiss.IndexFlatL2(dim), dim, nlist)
        rng = np.random.default_rng(0)
        sample = vecs if n <= 64 * nlist else vecs[rng.choice(n, 64 * nlist, replace=False)]
        index.train(np.ascontiguousarray(sample))
        index.nprobe = min(nprobe, nlist)
    index.add(np.ascontiguousarray(vecs))
    return index
