"""``kuzet eval plates``: licence-plate reading against labelled images or crops.

Two folder layouts:

- openalpr-style: ``NAME.jpg`` + ``NAME.txt`` holding
  ``NAME.jpg<TAB>x<TAB>y<TAB>w<TAB>h<TAB>PLATE`` (``0 0 0 0`` = box unknown). The
  whole reader runs: vehicles found by the object detector (the whole image when
  none is found or none holds a plate), localisation, recognition, formats.
- crops: ``labels.csv`` with ``image,plate``; recognition and formats only.

Labels keep every character: Unicode NFKC, uppercase, separators (spaces,
dashes, dots) removed, Cyrillic look-alikes compared as their Latin twins
(``formats.yaml``: А В Е К М Н О Р С Т У Х І); other letters (``Ж``, ``Ц``) stay and
can only match a read that has them.

Metrics: ``exact_match``; ``exact_match_folded`` (also counting O=0 and I=1,
because labels disagree on those); ``char_accuracy`` = 1 - edit distance /
longer length, averaged; ``found``: share of images whose plate was found (the
chosen read's box overlaps the labelled box with IoU >= 0.3 or contains its
centre; where no box is labelled, any read counts), with ``detection_recall``
over boxed images only; ``confusions``: the most frequent (label, read)
character errors.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kuzet.config.plates import PlatesConfig
from kuzet.config.root import KuzetConfig
from kuzet.core.errors import ConfigError
from kuzet.core.types import Image
from kuzet.detect.base import ObjectDetector
from kuzet.enrich.plate.ctc import normalise
from kuzet.enrich.plate.reader import PlateCandidate, PlateReader
from kuzet.eval.confusion import confusions
from kuzet.render.jpeg import decode_jpeg

IOU_HIT = 0.3
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class PlateSample:
    """One labelled image: path, plate text and plate box xyxy (None if unknown)."""

    path: Path
    plate: str
    box: Box | None


def _openalpr_row(txt: Path) -> PlateSample:
    parts = txt.read_text(encoding="utf-8").strip().split("\t")
    if len(parts) != 6:
        raise ConfigError(f"{txt}: expected NAME<TAB>x<TAB>y<TAB>w<TAB>h<TAB>PLATE, got {parts}")
    image = txt.parent / parts[0]
    if not image.is_file():  # some sets name NAME.png for a NAME.jpg: take the stem's image
        image = next(
            (txt.with_suffix(s) for s in IMAGE_SUFFIXES if txt.with_suffix(s).is_file()), image
        )
    if not image.is_file():
        raise ConfigError(f"{txt}: image {parts[0]} not found next to it")
    try:
        x, y, w, h = (float(v) for v in parts[1:5])
    except ValueError:
        raise ConfigError(f"{txt}: box values must be numbers, got {parts[1:5]}") from None
    box = None if w <= 0 or h <= 0 else (x, y, x + w, y + h)
    return PlateSample(image, parts[5], box)


def read_samples(folder: Path) -> tuple[str, list[PlateSample]]:
    """The folder's layout (``"images"`` or ``"crops"``) and its labelled samples.

    Raises:
        ConfigError: Neither layout, missing images, bad rows.
    """
    table = folder / "labels.csv"
    if table.is_file():
        samples: list[PlateSample] = []
        with table.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if not {"image", "plate"} <= set(reader.fieldnames or ()):
                raise ConfigError(f"{table}: columns must be image,plate; got {reader.fieldnames}")
            for n, raw in enumerate(reader, start=2):
                path = folder / raw["image"].strip()
                if not path.is_file():
                    raise ConfigError(f"{table}:{n}: image {path} not found")
                samples.append(PlateSample(path, raw["plate"].strip(), None))
        if not samples:
            raise ConfigError(f"{table}: no rows")
        return "crops", samples
    rows = [_openalpr_row(t) for t in sorted(folder.glob("*.txt"))]
    if not rows:
        raise ConfigError(f"{folder}: neither labels.csv nor openalpr-style NAME.txt files found")
    return "images", rows


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance.

    Example:
        >>> edit_distance("123ABC01", "123A8C0")
        2
    """
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def char_accuracy(predicted: str, truth: str) -> float:
    """1 - edit distance / the longer length (1.0 when both are empty)."""
    longest = max(len(predicted), len(truth))
    return 1.0 if longest == 0 else 1.0 - edit_distance(predicted, truth) / longest


def box_hit(predicted: Box, truth: Box) -> bool:
    """IoU >= 0.3, or the predicted box contains the labelled box's centre."""
    ix = max(0.0, min(predicted[2], truth[2]) - max(predicted[0], truth[0]))
    iy = max(0.0, min(predicted[3], truth[3]) - max(predicted[1], truth[1]))
    inter = ix * iy
    area = (
        (predicted[2] - predicted[0]) * (predicted[3] - predicted[1])
        + (truth[2] - truth[0]) * (truth[3] - truth[1])
        - inter
    )
    cx, cy = (truth[0] + truth[2]) / 2, (truth[1] + truth[3]) / 2
    inside = predicted[0] <= cx <= predicted[2] and predicted[1] <= cy <= predicted[3]
    return inside or (area > 0 and inter / area >= IOU_HIT)


def deployment_countries(cfg: KuzetConfig | None) -> tuple[str, ...]:
    """The plate countries a deployment reads: the default for ``kuzet eval plates``.

    The union, in order of first appearance, of ``plates.countries`` of the
    cameras that read plates (of every camera if none does); without a config,
    the ``PlatesConfig`` default.

    Example:
        >>> deployment_countries(None)
        ('KZ', 'RU', 'EU', 'US', 'CN')
    """
    if cfg is None or not cfg.cameras:
        return tuple(PlatesConfig().countries)
    cams = [c for c in cfg.cameras.values() if c.plates.enabled] or list(cfg.cameras.values())
    return tuple(dict.fromkeys(country for c in cams for country in c.plates.countries))


def _fold(text: str) -> str:
    return text.replace("O", "0").replace("I", "1")


def _load(path: Path) -> Image:
    try:  # bytes, not a path: copes with non-ASCII file names (Chinese plates)
        return decode_jpeg(path.read_bytes())
    except ValueError:
        raise ConfigError(f"{path}: not a readable image") from None


def read_image(
    reader: PlateReader, detector: ObjectDetector | None, image: Image
) -> PlateCandidate | None:
    """The best plate read on a whole image: inside vehicles, else anywhere."""
    found: list[PlateCandidate] = []
    if detector is not None:
        dets = detector.detect(image)
        labels, vehicles = dets.labels, set(detector.info.vehicle_classes)
        for i in range(len(dets)):
            if labels[i] in vehicles:
                found.extend(reader.candidates(image, dets.xyxy[i]))
    if not found:
        h, w = image.shape[:2]
        found = reader.candidates(image, np.array([0, 0, w, h], np.float32))
    return max(found, key=lambda c: c.score) if found else None


@dataclass(frozen=True)
class PlatesReport:
    """Per-image results and their summary."""

    folder: Path
    layout: str
    results: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """Summary keys plus ``results`` (one dict per image)."""
        n = len(self.results)
        boxed = [r for r in self.results if r["box_hit"] is not None]
        ms = [r["ms"] for r in self.results]
        return {
            "folder": str(self.folder),
            "layout": self.layout,
            "images": n,
            "exact_match": round(sum(r["exact"] for r in self.results) / max(n, 1), 4),
            "exact_match_folded": round(
                sum(r["exact_folded"] for r in self.results) / max(n, 1), 4
            ),
            "char_accuracy": round(sum(r["char_accuracy"] for r in self.results) / max(n, 1), 4),
            "detection_recall": (
                round(sum(r["box_hit"] for r in boxed) / len(boxed), 4) if boxed else None
            ),
            "read_rate": round(sum(r["predicted"] != "" for r in self.results) / max(n, 1), 4),
            "found": round(sum(_found(r) for r in self.results) / max(n, 1), 4),
            "confusions": confusions((r["plate"], r["predicted"]) for r in self.results),
            "p50_ms": round(float(np.median(ms)), 1) if ms else 0.0,
            "results": self.results,
        }


def _found(result: dict[str, Any]) -> bool:
    hit = result["box_hit"]
    return bool(result["predicted"]) if hit is None else bool(hit)


def _result(sample: PlateSample, best: PlateCandidate | None, ms: float) -> dict[str, Any]:
    truth = normalise(sample.plate)
    text = best.text if best is not None else ""
    hit = None
    if sample.box is not None:
        hit = best is not None and box_hit(best.box, sample.box)
    return {
        "image": sample.path.name,
        "plate": truth,
        "predicted": text,
        "raw": best.raw if best is not None else "",
        "country": best.country if best is not None else None,
        "plate_format": best.plate_format if best is not None else None,
        "confidence": round(best.score, 3) if best is not None else 0.0,
        "exact": text == truth,
        "exact_folded": _fold(text) == _fold(truth),
        "char_accuracy": round(char_accuracy(text, truth), 4),
        "box_hit": hit,
        "ms": round(ms, 1),
    }


def evaluate_plates(
    folder: Path, reader: PlateReader, detector: ObjectDetector | None
) -> PlatesReport:
    """Read every labelled image or crop of ``folder`` and score the reads.

    Args:
        folder: openalpr-style images or a crops folder with ``labels.csv``.
        reader: Plate reader (its countries decide the formats).
        detector: Vehicle detector for whole images (None: whole image only).

    Returns:
        The report.

    Raises:
        ConfigError: The folder is in neither layout or an image is unreadable.
    """
    layout, samples = read_samples(folder)
    results = []
    for sample in samples:
        image = _load(sample.path)
        start = time.perf_counter()
        if layout == "crops":
            best: PlateCandidate | None = reader.read_crop(image)
        else:
            best = read_image(reader, detector, image)
        results.append(_result(sample, best, (time.perf_counter() - start) * 1000.0))
    return PlatesReport(folder, layout, results)


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """Human summary of ``PlatesReport.to_json()``."""
    recall = summary["detection_recall"]
    lines = [
        f"{summary['images']} {summary['layout']}: exact {summary['exact_match']} "
        f"(O=0, I=1 folded {summary['exact_match_folded']}), characters "
        f"{summary['char_accuracy']}, found {summary['found']}, read {summary['read_rate']}, "
        f"detection recall {'n/a' if recall is None else recall}, p50 {summary['p50_ms']} ms",
        "top confusions (label>read): "
        + (
            ", ".join(
                f"{c['truth'] or '_'}>{c['read'] or '_'} {c['count']}"
                for c in summary["confusions"][:10]
            )
            or "none"
        ),
    ]
    lines += [
        f"  {r['image']}: {r['plate']} -> {r['predicted'] or '-'} ({r['raw']!r})"
        for r in summary["results"]
        if not r["exact"]
    ]
    return lines
