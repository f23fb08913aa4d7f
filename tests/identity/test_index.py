"""FaceIndex: exact numpy vs FAISS (flat and IVF), add/remove, errors."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.identity.index import FaceIndex


def unit(n: int, dim: int = 128, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_exact_search_matches_brute_force() -> None:
    vecs, q = unit(500), unit(1, seed=1)[0]
    idx = FaceIndex(backend="numpy")
    idx.build([f"p{i}" for i in range(500)], vecs)
    got = idx.search(q, k=5)
    d = np.linalg.norm(vecs - q, axis=1)
    want = np.argsort(d)[:5]
    assert [g[0] for g in got] == [f"p{i}" for i in want]
    np.testing.assert_allclose([g[1] for g in got], d[want], rtol=1e-4)
    assert [g[1] for g in got] == sorted(g[1] for g in got)


@pytest.mark.parametrize("backend", ["flat", "ivf"])
def test_faiss_agrees_with_exact_on_nearest(backend: str) -> None:
    vecs = unit(5000)
    ids = [f"p{i}" for i in range(5000)]
    exact, fast = FaceIndex(backend="numpy"), FaceIndex(backend=backend)  # type: ignore[arg-type]
    exact.build(ids, vecs)
    fast.build(ids, vecs)
    # Queries near stored rows (like a second photo of an enrolled person).
    rng = np.random.default_rng(2)
    rows = rng.choice(5000, 50, replace=False)
    queries = vecs[rows] + 0.02 * rng.standard_normal((50, 128)).astype(np.float32)
    for q in queries:
        e, f = exact.search(q, k=3), fast.search(q, k=3)
        assert f[0][0] == e[0][0]
        assert f[0][1] == pytest.approx(e[0][1], rel=1e-3, abs=1e-4)
    assert fast.backend == backend


def test_auto_backend_by_size() -> None:
    idx = FaceIndex(exact_max=100, flat_max=2000)
    idx.build([str(i) for i in range(50)], unit(50))
    assert idx.backend == "numpy"
    idx.build([str(i) for i in range(500)], unit(500))
    assert idx.backend == "flat"
    idx.build([str(i) for i in range(3000)], unit(3000))
    assert idx.backend == "ivf"
    assert idx.search(unit(3000)[7], k=1)[0][0] == "7"


@pytest.mark.parametrize("backend", ["numpy", "flat"])
def test_add_remove_replace(backend: str) -> None:
    vecs = unit(20)
    idx = FaceIndex(backend=backend)  # type: ignore[arg-type]
    idx.build([f"p{i}" for i in range(10)], vecs[:10])
    assert idx.search(vecs[3], k=1)[0][0] == "p3"
    assert idx.remove("p3") is True
    assert idx.remove("p3") is False
    assert "p3" not in idx and len(idx) == 9
    assert idx.search(vecs[3], k=1)[0][0] != "p3"
    assert idx.search(vecs[9], k=1) == [("p9", pytest.approx(0.0, abs=1e-3))]
    idx.add("new", vecs[15])
    assert idx.search(vecs[15], k=1)[0][0] == "new"
    idx.add("new", vecs[16])  # same id replaces the row
    assert len(idx) == 10
    assert idx.search(vecs[16], k=1)[0][0] == "new"
    assert dict(idx.search(vecs[15], k=10))["new"] > 0.5  # the old row is gone
    assert len(idx.search(vecs[0], k=50)) == 10


def test_empty_and_errors() -> None:
    idx = FaceIndex()
    assert idx.search(np.zeros(128, np.float32)) == []
    with pytest.raises(ValueError, match=r"shape \(N, 128\)"):
        idx.build(["a"], np.zeros((1, 64), np.float32))
    with pytest.raises(ValueError, match="2 ids but 1"):
        idx.build(["a", "b"], np.zeros((1, 128), np.float32))
    with pytest.raises(ValueError, match="unique"):
        idx.build(["a", "a"], np.zeros((2, 128), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        idx.add("x", np.full(128, np.nan, np.float32))
    with pytest.raises(ValueError, match="k must be"):
        idx.search(np.zeros(128, np.float32), k=0)
    with pytest.raises(ValueError, match="backend"):
        FaceIndex(backend="hnsw")  # type: ignore[arg-type]
