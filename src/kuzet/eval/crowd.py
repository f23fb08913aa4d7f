"""``kuzet eval crowd``: people counting against per-image head counts.

Input folder: ``images/`` and ``counts.csv`` (``image,count``; image names are
relative to ``images/``).
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kuzet.core.errors import ConfigError
from kuzet.detect.base import ObjectDetector
from kuzet.detect.tiling import TileSpec, count_people
from kuzet.eval.metrics import mae, rmse


def read_counts(folder: Path) -> list[tuple[Path, int]]:
    """(image path, expected count) rows of a crowd folder.

    Raises:
        ConfigError: Missing ``counts.csv``/images, bad columns or counts.
    """
    table = folder / "counts.csv"
    if not table.is_file():
        raise ConfigError(f"{folder}: counts.csv not found (expected images/ and counts.csv)")
    rows: list[tuple[Path, int]] = []
    with table.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not {"image", "count"} <= set(reader.fieldnames or ()):
            raise ConfigError(f"{table}: columns must be image,count; got {reader.fieldnames}")
        for n, raw in enumerate(reader, start=2):
            path = folder / "images" / raw["image"].strip()
            if not path.is_file():
                raise ConfigError(f"{table}:{n}: image {path} not found")
            try:
                rows.append((path, int(raw["count"])))
            except ValueError:
                raise ConfigError(
                    f"{table}:{n}: count must be an integer, got {raw['count']!r}"
                ) from None
    if not rows:
        raise ConfigError(f"{table}: no rows")
    return rows


@dataclass(frozen=True)
class CrowdReport:
    """Per-image counts and the error summary."""

    folder: Path
    images: list[dict[str, Any]]
    ms_per_image: float

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed by ``--json``."""
        expected = [float(r["expected"]) for r in self.images]
        predicted = [float(r["predicted"]) for r in self.images]
        return {
            "folder": str(self.folder),
            "mae": round(mae(expected, predicted), 3),
            "rmse": round(rmse(expected, predicted), 3),
            "mean_count": round(sum(expected) / len(expected), 3),
            "mean_predicted": round(sum(predicted) / len(predicted), 3),
            "ms_per_image": round(self.ms_per_image, 1),
            "images": self.images,
        }


def evaluate_crowd(folder: Path, detector: ObjectDetector, tiles: TileSpec) -> CrowdReport:
    """Count people in every image of a crowd folder.

    Args:
        folder: Has ``images/`` and ``counts.csv``.
        detector: Object detector with a ``person`` class.
        tiles: Tiling (``FULL_FRAME`` for a single pass).

    Returns:
        Per-image expected, predicted and error (predicted - expected).

    Raises:
        ConfigError: Bad folder or unreadable image.
    """
    import cv2

    rows = []
    spent = 0.0
    for path, count in read_counts(folder):
        decoded = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if decoded is None:
            raise ConfigError(f"cannot decode image {path}")
        image = np.asarray(decoded, dtype=np.uint8)
        started = time.perf_counter()
        predicted = count_people(image, detector, tiles=tiles)
        spent += time.perf_counter() - started
        rows.append(
            {
                "image": path.name,
                "expected": count,
                "predicted": predicted,
                "error": predicted - count,
            }
        )
    return CrowdReport(folder, rows, 1000.0 * spent / len(rows))
