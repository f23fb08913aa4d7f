"""Find and read the plate of one vehicle: localisation, recognition, grammar.

Localisation is ``kuzet.enrich.plate.finder.PlateFinder`` (PP-OCRv4's text detector
on the vehicle crop, upscaled when small, with geometric filters). Each of the
largest few candidate boxes is cut out with a margin and read by PP-OCRv4's
recogniser (which reads Latin, digits and Chinese), keeping each character's
alternatives; the format step re-ranks them (``grammar.rerank``) and the most
plausible candidate wins. Two stacked text lines of like height are read as one
two-line plate, top line first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Protocol

import cv2
import numpy as np

from kuzet.core.types import FloatArray, Image
from kuzet.enrich.plate.finder import PlateFinder
from kuzet.enrich.plate.formats import table
from kuzet.enrich.plate.grammar import DEFAULT_COUNTRIES, rerank
from kuzet.enrich.plate.lines import join_line_pieces, stacked_pairs
from kuzet.enrich.plate.recognise import OcrRead, PlateOcr, join_reads

MAX_CANDIDATES = 3  # text boxes per vehicle that are recognised
MARGIN_X = 0.06  # of the box width, each side
MARGIN_Y = 0.15
GOOD_WIDTH_PX = 100.0  # plate width from which size no longer limits quality
GOOD_SHARPNESS = 150.0  # variance of the Laplacian from which a crop counts as sharp
TWO_LINE_ASPECT = 2.6  # crops narrower than this x their height may hold two lines


@dataclass(frozen=True, slots=True)
class PlateCandidate:
    """One recognition attempt on one plate crop.

    Attributes:
        text: Normalised, format-fixed text.
        raw: What the recogniser returned.
        country: Format that matched, or None.
        ocr_confidence: Recogniser confidence (0-1).
        score: ``ocr_confidence`` x format plausibility (0-1).
        quality: 0-1 crop quality (plate width and sharpness).
        box: Plate box xyxy in image pixels.
        crop: BGR plate crop.
        ms: Milliseconds this attempt took (localisation + recognition).
        plate_format: Name of the format the text fits (``KZ current``), or None.
        char_probs: OCR probability of each character of ``text`` (empty if unknown).
        loose: The format is a loose one (US generic, German): it names the read
            but says little about it.
    """

    text: str
    raw: str
    country: str | None
    ocr_confidence: float
    score: float
    quality: float
    box: tuple[float, float, float, float]
    crop: Image
    ms: float
    plate_format: str | None = None
    char_probs: tuple[float, ...] = ()
    loose: bool = False


class VehiclePlateReader(Protocol):
    """What the per-track enricher needs: the best plate read in a vehicle box."""

    def read_vehicle(self, image: Image, vehicle: FloatArray) -> PlateCandidate | None:
        """The best plate candidate inside ``vehicle`` (xyxy), or None."""
        ...


def crop_quality(crop: Image) -> float:
    """0-1 quality of a plate crop: its width and its sharpness (Laplacian variance)."""
    if crop.size == 0:
        return 0.0
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    sharp = float(cv2.Laplacian(gray, cv2.CV_64F).var())
    size = min(1.0, float(crop.shape[1]) / GOOD_WIDTH_PX)
    return float(size * min(1.0, 0.3 + 0.7 * sharp / GOOD_SHARPNESS))


def cut(image: Image, box: FloatArray) -> tuple[Image, tuple[float, float, float, float]]:
    """The plate crop with a small margin, and the box it was cut from."""
    h, w = image.shape[:2]
    bw, bh = float(box[2] - box[0]), float(box[3] - box[1])
    x1 = max(0, int(box[0] - MARGIN_X * bw))
    y1 = max(0, int(box[1] - MARGIN_Y * bh))
    x2 = min(w, int(np.ceil(box[2] + MARGIN_X * bw)))
    y2 = min(h, int(np.ceil(box[3] + MARGIN_Y * bh)))
    return np.ascontiguousarray(image[y1:y2, x1:x2]), (float(x1), float(y1), float(x2), float(y2))


class PlateReader:
    """Localise and read licence plates.

    Example:
        >>> reader = PlateReader(countries=("KZ", "RU"))  # doctest: +SKIP
        >>> reader.read_crop(plate_bgr).text  # doctest: +SKIP
        '123ABC01'
    """

    def __init__(
        self,
        countries: tuple[str, ...] = DEFAULT_COUNTRIES,
        threads: int = 1,
        min_plate_px: int = 16,
    ) -> None:
        """Load the text detector and recogniser once.

        Args:
            countries: Countries whose plate formats re-rank the reads.
            threads: ONNX Runtime intra-op threads per model.
            min_plate_px: Narrower plate boxes are not recognised.

        Raises:
            ModelError: RapidOCR (which ships the models) is not installed.
            ValueError: An unknown country.
        """
        table().for_countries(countries)
        self.countries = countries
        self.min_plate_px = min_plate_px
        self.finder = PlateFinder(threads=threads)
        self.ocr = PlateOcr(threads=threads, batch=MAX_CANDIDATES + 2)

    def read_crop(self, crop: Image) -> PlateCandidate:
        """Recognition and formats only, on a tight plate crop (BGR).

        A crop shaped like a two-line plate (aspect below ``TWO_LINE_ASPECT``) is
        searched for two stacked text lines, read top line first; when they fit a
        plate format, the read of the whole crop as one line counts half.
        """
        if crop.ndim != 3 or crop.shape[2] != 3 or crop.size == 0:
            raise ValueError(f"expected a non-empty HxWx3 BGR crop, got shape {crop.shape}")
        start = time.perf_counter()
        h, w = crop.shape[:2]
        whole = (0.0, 0.0, float(w), float(h))
        found = [self._candidate(self.ocr.read([crop])[0], crop, whole, start)]
        if w < TWO_LINE_ASPECT * h:
            boxes = join_line_pieces(self.finder.text_boxes(crop))
            for top, bottom in stacked_pairs(boxes):
                lines = [cut(crop, boxes[top])[0], cut(crop, boxes[bottom])[0]]
                found.append(self._candidate(join_reads(self.ocr.read(lines)), crop, whole, start))
            if any(c.plate_format is not None for c in found[1:]):
                found[0] = _halved(found[0])  # a two-line plate read as one line
        return max(found, key=lambda c: c.score)

    def _candidate(
        self,
        read: OcrRead,
        crop: Image,
        box: tuple[float, float, float, float],
        start: float,
    ) -> PlateCandidate:
        fitted = rerank(list(read.segments), self.countries)
        return PlateCandidate(
            text=fitted.text,
            raw=read.raw,
            country=fitted.country,
            ocr_confidence=read.confidence,
            score=read.confidence * fitted.score,
            quality=crop_quality(crop),
            box=box,
            crop=crop,
            ms=(time.perf_counter() - start) * 1000.0,
            plate_format=fitted.plate_format,
            char_probs=fitted.probs,
            loose=fitted.loose,
        )

    def candidates(self, image: Image, vehicle: FloatArray) -> list[PlateCandidate]:
        """Every recognised plate candidate inside ``vehicle`` (xyxy), best first.

        Stacked line pairs (two-line plates) are read as one plate, top line
        first; the single lines of such a pair stay candidates at half weight
        when the pair fits a plate format.
        """
        start = time.perf_counter()
        boxes = self.finder.find(image, np.asarray(vehicle, np.float32).reshape(1, 4))
        boxes = boxes[(boxes[:, 2] - boxes[:, 0]) >= self.min_plate_px]
        if len(boxes) == 0:
            return []
        boxes = join_line_pieces(boxes)
        order = np.argsort(-(boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
        boxes = boxes[order[:MAX_CANDIDATES]]
        cuts = [cut(image, b) for b in boxes]
        reads = self.ocr.read([c for c, _ in cuts])
        found = [
            self._candidate(read, c, b, start)
            for read, (c, b) in zip(reads, cuts, strict=True)
            if read.segments
        ]
        for top, bottom in stacked_pairs(boxes):
            union = np.concatenate([np.minimum(boxes[top], boxes[bottom])[:2],
                                    np.maximum(boxes[top], boxes[bottom])[2:]])
            crop, box = cut(image, union)
            pair = self._candidate(join_reads([reads[top], reads[bottom]]), crop, box, start)
            if pair.plate_format is not None:
                found = [_halved(c) if c.box in (cuts[top][1], cuts[bottom][1]) else c
                         for c in found]  # fmt: skip
            found.append(pair)
        return sorted(found, key=lambda c: -c.score)

    def read_vehicle(self, image: Image, vehicle: FloatArray) -> PlateCandidate | None:
        """The best plate candidate inside ``vehicle`` (xyxy), or None."""
        found = self.candidates(image, vehicle)
        return found[0] if found else None


def _halved(candidate: PlateCandidate) -> PlateCandidate:
    return replace(candidate, score=candidate.score / 2)
