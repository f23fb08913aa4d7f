"""1:N face search latency: exact numpy vs FAISS flat vs FAISS IVF at 10k, 100k and 1M entries.

The gallery is random unit-norm 128-D vectors plus one real dlib embedding per
identity of ``face_recognition_examples`` (the "enrolled" photos); queries are
the other real photos of those people (whose true match must come back first)
plus random unit vectors. Latency is per query through ``FaceIndex.search``
(k=10, one query at a time, as the IdentityService calls it), p50/p95 in ms.
``recall`` is the share of real queries whose enrolled photo is the nearest row.

Usage:
    .venv/bin/python benchmarks/face_search.py [--sizes 10000 100000 1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one query, one core: as the IdentityService runs it

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from kuzet.identity.index import FaceIndex  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces" / \
    "face_recognition_examples"


def real_embeddings() -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """(enrolled ids, their embeddings, query identities, query embeddings) from the dataset."""
    from kuzet.enrich.face.detector import FaceDetector
    from kuzet.enrich.face.embedder import FaceEmbedder
    from kuzet.eval.faces import largest_face
    from kuzet.models.paths import require_model

    detector = FaceDetector(require_model("centerface"), min_score=0.5)
    embedder = FaceEmbedder()
    by_person: dict[str, list[np.ndarray]] = {}
    with (DATA / "identities.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            who = row["identity"]
            if "+" in who or who.startswith("unknown"):
                continue
            raw = cv2.imread(str(DATA / row["file"]), cv2.IMREAD_COLOR)
            if raw is None:
                continue
            image = np.ascontiguousarray(raw, np.uint8)
            box = largest_face(detector, image)
            if box is not None:
                by_person.setdefault(who, []).append(embedder.embed(image, box[None])[0])
    ids, gallery, labels, queries = [], [], [], []
    for who, embs in by_person.items():
        if len(embs) >= 2:
            ids.append(f"real:{who}")
            gallery.append(embs[0])
            labels += [f"real:{who}"] * (len(embs) - 1)
            queries += embs[1:]
    return ids, np.asarray(gallery, np.float32), labels, np.asarray(queries, np.float32)


def unit(n: int, rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal((n, 128), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def measure(index: FaceIndex, queries: np.ndarray, labels: list[str]) -> list[float]:
    """Wall p50/p95 ms, CPU p50/p95 ms (this thread), top-1 recall on the labelled queries."""
    index.search(queries[0], k=10)  # builds the FAISS index (not timed)
    wall, cpu, hits = [], [], 0
    for i, q in enumerate(queries):
        t0, c0 = time.perf_counter(), time.thread_time()
        found = index.search(q, k=10)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        if i < len(labels) and found and found[0][0] == labels[i]:
            hits += 1
    return [*np.percentile(wall, [50, 95]), *np.percentile(cpu, [50, 95]),
            hits / max(len(labels), 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    ids, real, labels, real_q = real_embeddings()
    print(f"{len(ids)} enrolled identities, {len(labels)} real queries; "
          f"{args.queries - len(labels)} random queries")
    queries = np.concatenate([real_q, unit(max(args.queries - len(labels), 1), rng)])
    print(f"{'entries':>9} {'backend':>7} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'cpu p50':>8} {'cpu p95':>8} {'recall':>7}")
    for n in args.sizes:
        vecs = np.concatenate([real, unit(n - len(ids), rng)])
        all_ids = ids + [f"r{i}" for i in range(n - len(ids))]
        for backend in ("numpy", "flat", "ivf"):
            index = FaceIndex(backend=backend)
            t0 = time.perf_counter()
            index.build(all_ids, vecs)
            index.search(queries[0], k=10)
            build = time.perf_counter() - t0
            p50, p95, c50, c95, recall = measure(index, queries, labels)
            print(f"{n:>9} {backend:>7} {build:>8.2f} {p50:>8.3f} {p95:>8.3f} {c50:>8.3f} "
                  f"{c95:>8.3f} {recall:>7.2f}", flush=True)
            del index


if __name__ == "__main__":
    main()
