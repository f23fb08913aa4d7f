"""``kuzet eval faces DIR``: face verification on labelled pairs.

DIR holds ``pairs.csv`` with ``image_a,image_b,same`` (paths relative to DIR,
same = 1/0). The largest face of each image is detected (CenterFace), aligned
and embedded (dlib, 5 landmarks), and each pair is scored by the Euclidean
distance of its embeddings: a pair is "same" when the distance is at most the
threshold. Pairs with an image in which no face was found are left out of the
metrics and counted.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kuzet.core.errors import KuzetError
from kuzet.core.types import FloatArray, Image
from kuzet.eval.roc import rates, roc_points, threshold_at_far

DLIB_THRESHOLD = 0.6  # dlib's standard same-person distance
SMALL_SIDE = 640  # images smaller than this are upscaled x2 before face detection
DEFAULT_FAR = 1e-3  # false-accept rate the calibrated threshold is chosen for
EMBEDDERS = ("dlib", "faceres")  # dlib ResNet (shipped), FaceRes from the model pack
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Pair:
    """One labelled pair of image paths (absolute)."""

    a: Path
    b: Path
    same: bool


def default_threshold() -> float:
    """The configured default watchlist threshold, or dlib's 0.6 without one."""
    try:
        from kuzet.config.identity import IdentityConfig
    except ImportError:
        return DLIB_THRESHOLD
    return float(IdentityConfig().default_threshold)


def read_pairs(folder: Path) -> list[Pair]:
    """Pairs of ``folder/pairs.csv``.

    Raises:
        KuzetError: The file is missing, lacks a column, or has a bad row.
    """
    path = folder / "pairs.csv"
    if not path.is_file():
        raise KuzetError(f"{path} does not exist: expected pairs.csv with image_a,image_b,same")
    pairs: list[Pair] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"image_a", "image_b", "same"} - set(reader.fieldnames or [])
        if missing:
            raise KuzetError(f"{path}: missing column(s) {sorted(missing)}")
        for line, row in enumerate(reader, start=2):
            same = (row["same"] or "").strip()
            if same not in ("0", "1"):
                raise KuzetError(f"{path}:{line}: same must be 0 or 1, got {same!r}")
            pairs.append(Pair(folder / row["image_a"], folder / row["image_b"], same == "1"))
    if not pairs:
        raise KuzetError(f"{path} has no pairs")
    return pairs


def load_embedder(name: str) -> Any:
    """The face embedder called ``name`` (one of ``EMBEDDERS``).

    Raises:
        KuzetError: An unknown name.
        ModelError: Its model is not installed.
    """
    if name == "dlib":
        from kuzet.enrich.face.embedder import FaceEmbedder

        return FaceEmbedder()
    if name == "faceres":
        from kuzet.enrich.face.faceres import FaceResEmbedder

        return FaceResEmbedder()
    raise KuzetError(f"unknown embedder {name!r}; known: {', '.join(EMBEDDERS)}")


class _Embeddings:
    """Largest-face embedding per image file, computed once."""

    def __init__(self, embedder: str = "dlib") -> None:
        from kuzet.enrich.face.detector import FaceDetector
        from kuzet.models.paths import require_model

        self._detector = FaceDetector(require_model("centerface"), min_score=0.5)
        self._embedder = load_embedder(embedder)
        self._cache: dict[Path, FloatArray | None] = {}

    @property
    def failed(self) -> int:
        """Images in which no face was found."""
        return sum(1 for e in self._cache.values() if e is None)

    def get(self, path: Path) -> FloatArray | None:
        if path not in self._cache:
            self._cache[path] = self._compute(path)
        return self._cache[path]

    def _compute(self, path: Path) -> FloatArray | None:
        raw = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if raw is None:
            raise KuzetError(f"{path}: not a readable image")
        image: Image = np.ascontiguousarray(raw, np.uint8)
        box = largest_face(self._detector, image)
        if box is None:
            return None
        return np.asarray(self._embedder.embed(image, box[None])[0], np.float32)


def largest_face(detector: Any, image: Image) -> FloatArray | None:
    """Box of the widest face in a whole image (small images are upscaled x2)."""
    h, w = image.shape[:2]
    factor = 2.0 if max(h, w) < SMALL_SIDE else 1.0
    big = image if factor == 1.0 else cv2.resize(image, (w * 2, h * 2))
    boxes = np.asarray(detector.detect(np.ascontiguousarray(big)).xyxy, np.float32) / factor
    if len(boxes) == 0:
        return None
    best: FloatArray = boxes[int(np.argmax(boxes[:, 2] - boxes[:, 0]))]
    return best


def roc_auc(dist: F64, same: npt.NDArray[np.bool_]) -> float:
    """Probability that a random same pair is closer than a random different pair."""
    pos, neg = dist[same], dist[~same]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    closer = (pos[:, None] < neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(closer / (len(pos) * len(neg)))


def best_threshold(dist: F64, same: npt.NDArray[np.bool_]) -> tuple[float, float]:
    """The threshold (midway between sorted distances) with the best accuracy."""
    d = np.unique(dist)
    candidates = np.concatenate([[d[0] - 1e-6], (d[:-1] + d[1:]) / 2, [d[-1] + 1e-6]])
    accs = [float(((dist <= t) == same).mean()) for t in candidates]
    i = int(np.argmax(accs))
    return float(candidates[i]), accs[i]


def tar_at_far(dist: F64, same: npt.NDArray[np.bool_], far: float) -> float:
    """Share of same pairs accepted at the loosest threshold whose false-accept rate <= ``far``."""
    pos, neg = dist[same], np.sort(dist[~same])
    if len(pos) == 0:
        return float("nan")
    allowed = int(np.floor(far * len(neg)))  # different pairs that may be accepted
    limit = neg[allowed] if allowed < len(neg) else np.inf  # accept strictly below this
    return float((pos < limit).mean())


def evaluate_faces(
    folder: Path, threshold: float | None = None, far: float = DEFAULT_FAR, embedder: str = "dlib"
) -> dict[str, Any]:
    """Verification metrics of the pairs in ``folder``.

    Args:
        folder: Directory with ``pairs.csv``.
        threshold: Same-person distance (default: :func:`default_threshold`).
        far: False-accept rate to choose ``threshold_at_far`` for.
        embedder: ``dlib`` (shipped) or ``faceres`` (for comparison).

    Returns:
        ``accuracy``, ``tpr`` and ``fpr`` at ``threshold``; ``best_threshold``,
        ``best_accuracy``, ``roc_auc``, ``tar_at_far_1e-2``, ``tar_at_far_1e-3``;
        ``far``, ``threshold_at_far`` with its ``tpr_at_far``/``fpr_at_far``;
        ``roc`` (threshold, tpr, fpr points); ``pairs`` (scored), ``same_pairs``,
        ``different_pairs``, ``pairs_total``, ``pairs_without_face`` and
        ``failed_detections`` (images without a face, left out of every rate),
        ``elapsed_s``.

    Raises:
        KuzetError: Bad pairs file, unreadable image, or no scorable pair.
    """
    start = time.perf_counter()
    pairs = read_pairs(folder)
    limit = default_threshold() if threshold is None else threshold
    embeddings = _Embeddings(embedder)
    dists, labels = [], []
    for pair in pairs:
        ea, eb = embeddings.get(pair.a), embeddings.get(pair.b)
        if ea is not None and eb is not None:
            dists.append(float(np.linalg.norm(ea - eb)))
            labels.append(pair.same)
    if not dists:
        raise KuzetError(f"{folder}: no pair has a face in both images")
    dist, same = np.asarray(dists, np.float64), np.asarray(labels, bool)
    best_t, best_acc = best_threshold(dist, same)
    tpr, fpr = rates(dist, same, limit)
    at_far = threshold_at_far(dist, same, far) if (~same).any() else float("nan")
    tpr_far, fpr_far = rates(dist, same, at_far)
    return {
        "embedder": embedder,
        "accuracy": round(float(((dist <= limit) == same).mean()), 4),
        "threshold": limit,
        "tpr": round(tpr, 4),
        "fpr": round(fpr, 4),
        "far": far,
        "threshold_at_far": at_far,
        "tpr_at_far": round(tpr_far, 4),
        "fpr_at_far": round(fpr_far, 4),
        "tar_at_far_1e-3": round(tar_at_far(dist, same, 1e-3), 4),
        "same_pairs": int(same.sum()),
        "different_pairs": int((~same).sum()),
        "pairs_without_face": len(pairs) - len(dists),
        "roc": roc_points(dist, same),
        "best_threshold": round(best_t, 4),
        "best_accuracy": round(best_acc, 4),
        "roc_auc": round(roc_auc(dist, same), 4),
        "tar_at_far_1e-2": round(tar_at_far(dist, same, 1e-2), 4),
        "pairs": len(dists),
        "pairs_total": len(pairs),
        "failed_detections": embeddings.failed,
        "elapsed_s": round(time.perf_counter() - start, 2),
    }
