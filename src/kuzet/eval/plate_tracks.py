"""``kuzet eval plates DIR --views N``: per-frame against per-track plate reads.

Labelled plate *video* is rare; this measures the track decision on the labelled
stills instead. Each image becomes a simulated track of ``N`` views of the same
vehicle approaching the camera: view ``k`` is the image scaled to
``MIN_SCALE .. 1`` of its size (far to near), blurred (focus and motion), with
its brightness and contrast jittered, and JPEG-compressed at a low to medium
quality, from a random generator seeded by the image's index, so a run is
repeatable. Every view is read as a frame would be; the reads are voted as the
live enricher votes a track (:class:`kuzet.enrich.plate.vote.PlateVote`).

Reported: ``frame_exact`` (share of all views read exactly), ``track_exact``
(share of tracks whose decision is exact), the same folded O=0 I=1, and
``track_exact_best_frame`` (the track's single most confident read, what a
per-frame system would alert on), with the mean looks per track.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kuzet.core.types import Image
from kuzet.detect.base import ObjectDetector
from kuzet.enrich.plate.ctc import normalise
from kuzet.enrich.plate.reader import PlateCandidate, PlateReader
from kuzet.enrich.plate.vote import PlateVote
from kuzet.eval.plates import _fold, _load, read_image, read_samples

MIN_SCALE = 0.45  # the farthest view, relative to the labelled image
MAX_BLUR = 1.6  # Gaussian sigma, pixels of the scaled view
JPEG_QUALITY = (35, 85)


@dataclass(frozen=True, slots=True)
class TrackResult:
    """One simulated track: its label, per-view reads and decision."""

    image: str
    plate: str
    views: tuple[str, ...]
    best_frame: str
    decision: str
    looks: int


def views_of(image: Image, count: int, seed: int) -> list[Image]:
    """``count`` degraded views of ``image``, far to near (see the module doc).

    Example:
        >>> views = views_of(np.zeros((60, 200, 3), np.uint8), 3, seed=0)
        >>> [v.shape[1] for v in views]
        [90, 145, 200]
    """
    rng = np.random.default_rng(seed)
    h, w = image.shape[:2]
    out: list[Image] = []
    for k in range(count):
        scale = MIN_SCALE + (1.0 - MIN_SCALE) * (k / max(count - 1, 1))
        view = cv2.resize(image, (max(8, round(w * scale)), max(8, round(h * scale))),
                          interpolation=cv2.INTER_AREA)  # fmt: skip
        sigma = float(rng.uniform(0.0, MAX_BLUR))
        if sigma > 0.3:
            view = cv2.GaussianBlur(view, (0, 0), sigma)
        gain, bias = float(rng.uniform(0.8, 1.15)), float(rng.uniform(-20, 20))
        view = cv2.convertScaleAbs(view, alpha=gain, beta=bias)
        quality = int(rng.integers(*JPEG_QUALITY))
        ok, buf = cv2.imencode(".jpg", view, [cv2.IMWRITE_JPEG_QUALITY, quality])
        decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
        if decoded is not None:
            view = decoded
        out.append(np.ascontiguousarray(view, np.uint8))
    return out


def _read(
    layout: str, reader: PlateReader, detector: ObjectDetector | None, view: Image
) -> PlateCandidate | None:
    if layout == "crops":
        return reader.read_crop(view)
    return read_image(reader, detector, view)


def track_of(
    layout: str, reader: PlateReader, detector: ObjectDetector | None, views: list[Image]
) -> tuple[list[str], str, str, int]:
    """Read every view and vote: (per-view texts, best single read, decision, looks)."""
    vote = PlateVote(reader.countries)
    texts: list[str] = []
    best: PlateCandidate | None = None
    for view in views:
        found = _read(layout, reader, detector, view)
        texts.append(found.text if found is not None else "")
        if found is None or not found.text:
            continue
        probs = found.char_probs if len(found.char_probs) == len(found.text) else ()
        vote.add(found.text, found.score, found.quality, probs)
        if best is None or found.score > best.score:
            best = found
    result = vote.result()
    decision = result.text if result is not None else ""
    return texts, best.text if best is not None else "", decision, len(vote)


def evaluate_plate_tracks(
    folder: Path, reader: PlateReader, detector: ObjectDetector | None, views: int
) -> dict[str, Any]:
    """Per-frame and per-track exact reads of simulated tracks (see the module doc).

    Args:
        folder: openalpr-style images or a crops folder with ``labels.csv``.
        reader: Plate reader (its countries decide the formats).
        detector: Vehicle detector for whole images (None: whole image only).
        views: Views per track (>= 1).

    Returns:
        The summary with ``tracks`` (one dict per image).

    Raises:
        ConfigError: The folder is in neither layout or an image is unreadable.
        ValueError: ``views`` < 1.
    """
    if views < 1:
        raise ValueError(f"views must be >= 1, got {views}")
    start = time.perf_counter()
    layout, samples = read_samples(folder)
    tracks = []
    for index, sample in enumerate(samples):
        texts, best, decision, looks = track_of(
            layout, reader, detector, views_of(_load(sample.path), views, seed=index)
        )
        tracks.append(TrackResult(sample.path.name, normalise(sample.plate), tuple(texts),
                                  best, decision, looks))  # fmt: skip
    return summarise(tracks, views, time.perf_counter() - start)


def summarise(tracks: list[TrackResult], views: int, elapsed: float) -> dict[str, Any]:
    """The summary of simulated tracks."""
    n = max(len(tracks), 1)
    frames = [(v, t.plate) for t in tracks for v in t.views]

    def rate(pairs: list[tuple[str, str]], fold: bool = False) -> float:
        hits = sum((_fold(a) == _fold(b)) if fold else (a == b) for a, b in pairs)
        return round(hits / max(len(pairs), 1), 4)

    decisions = [(t.decision, t.plate) for t in tracks]
    return {
        "tracks": len(tracks),
        "views": views,
        "frame_exact": rate(frames),
        "frame_exact_folded": rate(frames, fold=True),
        "track_exact_best_frame": rate([(t.best_frame, t.plate) for t in tracks]),
        "track_exact": rate(decisions),
        "track_exact_folded": rate(decisions, fold=True),
        "mean_looks": round(sum(t.looks for t in tracks) / n, 2),
        "elapsed_s": round(elapsed, 1),
        "results": [
            {"image": t.image, "plate": t.plate, "views": list(t.views),
             "best_frame": t.best_frame, "decision": t.decision, "looks": t.looks}
            for t in tracks
        ],  # fmt: skip
    }


def track_lines(summary: dict[str, Any]) -> list[str]:
    """Human summary of :func:`evaluate_plate_tracks`."""
    lines = [
        f"{summary['tracks']} simulated tracks x {summary['views']} views: per frame exact "
        f"{summary['frame_exact']} (folded {summary['frame_exact_folded']}); per track: "
        f"best single frame {summary['track_exact_best_frame']}, voted decision "
        f"{summary['track_exact']} (folded {summary['track_exact_folded']}); "
        f"{summary['mean_looks']} looks per track",
    ]
    lines += [
        f"  {r['image']}: {r['plate']} -> {r['decision'] or '-'} (views {', '.join(r['views'])})"
        for r in summary["results"]
        if r["decision"] != r["plate"]
    ]
    return lines
