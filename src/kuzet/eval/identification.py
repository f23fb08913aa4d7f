"""``kuzet eval faces DIR --gallery SUB --probes SUB``: 1:N identification, open set.

``DIR/identities.csv`` has a header with at least ``file,identity`` (paths
relative to DIR; other columns ignored). Gallery images are the rows under
``DIR/<gallery>``; every one is enrolled as a photo of its identity (an identity
with several photos is one entry, matched by its nearest photo, as a watchlist
entry is). Probes are the rows under ``DIR/<probes>`` (``.`` = every row) that
are not gallery images; files that are not images (a video) are skipped and
counted, and so are rows whose identity is not given (empty or ``unknown ...``:
nobody can say whether an alert on them is right). A probe's identity may name
several people (``obama+biden``: a group photo; any of them is a right answer).
A probe is *mated* when one of its people is enrolled, else *non-mated* (the
open-set case of a wanted-person list: most people passing a camera are on no
list).

Each probe's largest face is searched against every entry (Euclidean distance
to the entry's nearest photo). Reported, at the threshold (the configured
default unless given): ``rank1``/``rank5`` (share of mated probes with a face
whose right identity is first / among the first five, regardless of the
threshold: closed-set identification rate); ``tpir`` (mated probes identified
right at rank 1 within the threshold) and ``fnir`` = 1 - ``tpir``; ``fpir``
(non-mated probes that raise an alert: their nearest entry is within the
threshold); ``false_alerts_per_1000`` (probes whose rank-1 alert names a wrong
identity, or anyone for a non-mated probe, per 1,000 probes with a face);
``not_found_rate`` (probes in which no face was found, left out of the other
rates); ``fnir_at_fpir`` for FPIR 0, 0.01 and 0.1 (the lowest FNIR over
thresholds whose FPIR is at most that: open-set accuracy without choosing a
threshold), and the distance gap between the farthest right rank-1 answer and
the nearest non-mated alert. ``--probe-face-px`` scales each probe down until its
face is that many pixels wide and re-encodes it as JPEG quality 60 (CCTV-like).
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kuzet.core.errors import KuzetError
from kuzet.core.types import FloatArray, Image
from kuzet.eval.faces import default_threshold, largest_face, load_embedder

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
FPIR_TARGETS = (0.0, 0.01, 0.1)
DEGRADED_JPEG = 60


@dataclass(frozen=True)
class Labelled:
    """One row of identities.csv: an image and the people it shows (empty: unknown)."""

    path: Path
    people: frozenset[str]


def read_identities(folder: Path) -> list[Labelled]:
    """Rows of ``folder/identities.csv``.

    Raises:
        KuzetError: The file or a column is missing.
    """
    path = folder / "identities.csv"
    if not path.is_file():
        raise KuzetError(f"{path} does not exist: expected identities.csv with file,identity")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"file", "identity"} - set(reader.fieldnames or [])
        if missing:
            raise KuzetError(f"{path}: missing column(s) {sorted(missing)}")
        rows = [Labelled(folder / row["file"].strip(), _people(row["identity"])) for row in reader]
    if not rows:
        raise KuzetError(f"{path} has no rows")
    return rows


def _people(label: str) -> frozenset[str]:
    label = label.strip()
    if not label or label.lower().startswith("unknown"):
        return frozenset()
    return frozenset(p.strip() for p in label.split("+") if p.strip())


def split(rows: list[Labelled], folder: Path, gallery: str, probes: str) -> tuple[
    list[Labelled], list[Labelled], int
]:
    """(gallery rows, probe rows, skipped probe rows: not images, or nobody named).

    Raises:
        KuzetError: An empty gallery, a gallery image of no single identity, or no probe.
    """
    g_dir, p_dir = (folder / gallery).resolve(), (folder / probes).resolve()
    images = [r for r in rows if r.path.suffix.lower() in IMAGE_SUFFIXES]
    enrolled = [r for r in images if r.path.resolve().is_relative_to(g_dir)]
    if not enrolled:
        raise KuzetError(f"no image of identities.csv is under {g_dir}")
    bad = [str(r.path) for r in enrolled if len(r.people) != 1]
    if bad:
        raise KuzetError(f"gallery images must show one known person: {bad}")
    gallery_paths = {r.path for r in enrolled}
    under = [r for r in rows if r.path.resolve().is_relative_to(p_dir)
             and r.path not in gallery_paths]  # fmt: skip
    probe_rows = [r for r in under if r.path.suffix.lower() in IMAGE_SUFFIXES and r.people]
    if not probe_rows:
        raise KuzetError(f"no probe image of identities.csv is under {p_dir} (outside the gallery)")
    return enrolled, probe_rows, len(under) - len(probe_rows)


class _Faces:
    """Largest-face embedding of an image, optionally degraded to CCTV quality."""

    def __init__(self, embedder: str) -> None:
        from kuzet.enrich.face.detector import FaceDetector
        from kuzet.models.paths import require_model

        self._detector = FaceDetector(require_model("centerface"), min_score=0.5)
        self._embedder = load_embedder(embedder)

    def embed(self, path: Path, face_px: int | None = None) -> FloatArray | None:
        image = _read(path)
        box = largest_face(self._detector, image)
        if box is not None and face_px is not None:
            image = degrade(image, float(box[2] - box[0]), face_px)
            box = largest_face(self._detector, image)
        if box is None:
            return None
        return np.asarray(self._embedder.embed(image, box[None])[0], np.float32)


def _read(path: Path) -> Image:
    raw = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_COLOR)
    if raw is None:
        raise KuzetError(f"{path}: not a readable image")
    return np.ascontiguousarray(raw, np.uint8)


def degrade(image: Image, face_width: float, face_px: int) -> Image:
    """``image`` scaled so the face is ``face_px`` wide (never up), JPEG quality 60."""
    scale = min(1.0, face_px / max(face_width, 1.0))
    h, w = image.shape[:2]
    small = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA)  # fmt: skip
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, DEGRADED_JPEG])
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
    return np.ascontiguousarray(decoded if decoded is not None else small, np.uint8)


@dataclass(frozen=True)
class Search:
    """One probe's search: its people and the entries ranked by distance."""

    people: frozenset[str]
    ranked: list[tuple[str, float]]  # (identity, distance), nearest first
    file: str = ""

    def to_json(self) -> dict[str, Any]:
        """The probe's people and its three nearest entries (names and distances only)."""
        return {"file": self.file, "people": sorted(self.people),
                "nearest": [[n, round(d, 4)] for n, d in self.ranked[:3]]}  # fmt: skip

    def mated(self, enrolled: set[str]) -> bool:
        """Whether one of the probe's people is enrolled."""
        return bool(self.people & enrolled)


def rank_entries(
    probe: FloatArray, gallery: dict[str, list[FloatArray]]
) -> list[tuple[str, float]]:
    """Entries by the distance of their nearest photo to ``probe``, nearest first."""
    found = [(name, min(float(np.linalg.norm(probe - e)) for e in photos))
             for name, photos in gallery.items()]  # fmt: skip
    return sorted(found, key=lambda item: item[1])


def open_set(searches: list[Search], enrolled: set[str], threshold: float) -> dict[str, float]:
    """TPIR, FNIR, FPIR and false alerts at ``threshold``."""
    mated = [s for s in searches if s.mated(enrolled)]
    others = [s for s in searches if not s.mated(enrolled)]
    right = sum(s.ranked[0][0] in s.people and s.ranked[0][1] <= threshold for s in mated)
    alerts = [s for s in searches if s.ranked[0][1] <= threshold]
    false = sum(s.ranked[0][0] not in s.people for s in alerts)
    tpir = right / len(mated) if mated else float("nan")
    raised = sum(s.ranked[0][1] <= threshold for s in others)
    fpir = raised / len(others) if others else float("nan")
    return {
        "tpir": round(tpir, 4),
        "fnir": round(1.0 - tpir, 4),
        "fpir": round(fpir, 4),
        "false_alerts_per_1000": round(1000.0 * false / max(len(searches), 1), 1),
    }


def fnir_at_fpir(searches: list[Search], enrolled: set[str]) -> dict[str, float | None]:
    """The lowest FNIR over thresholds whose FPIR is at most each of ``FPIR_TARGETS``."""
    cuts = sorted({s.ranked[0][1] for s in searches})
    grid = [0.0, *cuts, *[c + 1e-6 for c in cuts]]
    points = [open_set(searches, enrolled, t) for t in grid]
    out: dict[str, float | None] = {}
    for target in FPIR_TARGETS:
        ok = [p["fnir"] for p in points if not p["fpir"] > target]  # nan FPIR: no non-mated
        out[f"fnir_at_fpir_{target:g}"] = min(ok) if ok else None
    return out


def _ranks(searches: list[Search], enrolled: set[str]) -> tuple[float, float, float | None]:
    mated = [s for s in searches if s.mated(enrolled)]
    hits = [next((i for i, (name, _) in enumerate(s.ranked) if name in s.people), 99)
            for s in mated]  # fmt: skip
    rank1 = sum(h == 0 for h in hits) / len(hits) if hits else float("nan")
    rank5 = sum(h < 5 for h in hits) / len(hits) if hits else float("nan")
    right = [s.ranked[0][1] for s in mated if s.ranked[0][0] in s.people]
    wrong = [s.ranked[0][1] for s in searches if s.ranked[0][0] not in s.people]
    gap = round(min(wrong) - max(right), 4) if right and wrong else None
    return round(rank1, 4), round(rank5, 4), gap


def evaluate_identification(
    folder: Path,
    gallery: str,
    probes: str,
    threshold: float | None = None,
    embedder: str = "dlib",
    probe_face_px: int | None = None,
) -> dict[str, Any]:
    """Open-set identification of the probes against the gallery (see the module doc).

    Raises:
        KuzetError: Bad identities.csv or layout, an unreadable image, or no
            gallery face.
    """
    start = time.perf_counter()
    limit = default_threshold() if threshold is None else threshold
    enrolled_rows, probe_rows, skipped = split(read_identities(folder), folder, gallery, probes)
    faces = _Faces(embedder)
    photos: dict[str, list[FloatArray]] = {}
    for row in enrolled_rows:
        vector = faces.embed(row.path)
        if vector is not None:
            photos.setdefault(next(iter(row.people)), []).append(vector)
    if not photos:
        raise KuzetError("no face found in any gallery image")
    searches, not_found = [], 0
    for row in probe_rows:
        vector = faces.embed(row.path, probe_face_px)
        if vector is None:
            not_found += 1
            continue
        name = str(row.path.relative_to(folder))
        searches.append(Search(row.people, rank_entries(vector, photos), name))
    enrolled = set(photos)
    rank1, rank5, gap = _ranks(searches, enrolled)
    mated = sum(s.mated(enrolled) for s in searches)
    return {
        "embedder": embedder, "threshold": limit, "probe_face_px": probe_face_px,
        "identities_enrolled": len(photos), "gallery_photos": sum(map(len, photos.values())),
        "gallery_without_face": len(enrolled_rows) - sum(map(len, photos.values())),
        "probes": len(probe_rows), "probes_skipped": skipped, "mated": mated,
        "non_mated": len(searches) - mated, "not_found": not_found,
        "not_found_rate": round(not_found / len(probe_rows), 4),
        "rank1": rank1, "rank5": rank5, **open_set(searches, enrolled, limit),
        **fnir_at_fpir(searches, enrolled), "separation_gap": gap,
        "elapsed_s": round(time.perf_counter() - start, 2),
        "results": [search.to_json() for search in searches],
    }  # fmt: skip


def identification_lines(summary: dict[str, Any]) -> list[str]:
    """Human summary of :func:`evaluate_identification`."""
    s = summary
    return [
        f"{s['embedder']}: {s['identities_enrolled']} identities enrolled from "
        f"{s['gallery_photos']} photos; {s['probes']} probes ({s['mated']} mated, "
        f"{s['non_mated']} not enrolled, {s['not_found']} without a face; "
        f"{s['probes_skipped']} rows skipped: not an image or nobody named)",
        f"rank-1 {s['rank1']}, rank-5 {s['rank5']}; at threshold {s['threshold']}: TPIR "
        f"{s['tpir']}, FNIR {s['fnir']}, FPIR {s['fpir']}, false alerts "
        f"{s['false_alerts_per_1000']} per 1,000 probes",
        "FNIR at FPIR " + ", ".join(f"{t:g}: {s[f'fnir_at_fpir_{t:g}']}" for t in FPIR_TARGETS)
        + f"; gap between right and wrong rank-1 distances {s['separation_gap']}",
    ]
