"""Find and read the plate of one vehicle: localisation, recognition, grammar.

Localisation is ``kuzet.enrich.plate.finder.PlateFinder`` (PP-OCRv4's text detector
on the vehicle crop, upscaled when small, with geometric filters). Each of the
largest few candidate boxes is cut out with a margin and read by PP-OCRv4's
recogniser (which reads Latin, digits and Chinese); the read that best fits a
plate format wins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

from kuzet.core.types import FloatArray, Image
from kuzet.enrich.plate.finder import PlateFinder
from kuzet.enrich.plate.grammar import DEFAULT_COUNTRIES, match
from kuzet.models.paths import model_file

MAX_CANDIDATES = 3  # text boxes per vehicle that are recognised
MARGIN_X = 0.06  # of the box width, each side
MARGIN_Y = 0.15
GOOD_WIDTH_PX = 100.0  # plate width from which size no longer limits quality
GOOD_SHARPNESS = 150.0  # variance of the Laplacian from which a crop counts as sharp
LINE_OVERLAP = 0.6  # vertical overlap (of the taller box) for two pieces to share a line
JOIN_GAP = 1.5  # widest gap between pieces of one plate, in box heights


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


def join_line_pieces(boxes: FloatArray) -> FloatArray:
    """Add the union of each two boxes that sit on one text line with a small gap.

    The text detector splits a plate at a wide gap (``1B7 0440``) or a sticker;
    the joined box is offered as one more candidate, the pieces stay.

    Example:
        >>> join_line_pieces(np.array([[0, 0, 30, 10], [40, 1, 80, 11]], np.float32)).shape
        (3, 4)
    """
    joined = [boxes]
    for i in range(len(boxes)):
        for j in range(len(boxes)):
            a, b = boxes[i], boxes[j]
            h = max(float(a[3] - a[1]), float(b[3] - b[1]))
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            gap = float(b[0] - a[2])
            if i != j and overlap >= LINE_OVERLAP * h and -0.2 * h <= gap <= JOIN_GAP * h:
                union = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                joined.append(np.asarray([union], np.float32))
    out: FloatArray = np.concatenate(joined).astype(np.float32)
    return out


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
            countries: Plate formats to fit reads to.
            threads: ONNX Runtime intra-op threads per model.
            min_plate_px: Narrower plate boxes are not recognised.

        Raises:
            ModelError: RapidOCR (which ships the models) is not installed.
        """
        from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer

        self.countries = countries
        self.min_plate_px = min_plate_px
        self.finder = PlateFinder(threads=threads)
        self._rec: Any = TextRecognizer(
            {
                "model_path": str(model_file("ppocr-rec")),
                "intra_op_num_threads": threads,
                "inter_op_num_threads": 1,
                "use_cuda": False,
                "use_dml": False,
                "rec_img_shape": [3, 48, 320],
                "rec_batch_num": MAX_CANDIDATES,
            }
        )

    def _recognise(self, crops: list[Image]) -> list[tuple[str, float]]:
        results, _elapsed = self._rec(crops)
        return [(str(text), float(conf)) for text, conf in results]

    def read_crop(self, crop: Image) -> PlateCandidate:
        """Recognition and normalisation only, on a tight plate crop (BGR)."""
        if crop.ndim != 3 or crop.shape[2] != 3 or crop.size == 0:
            raise ValueError(f"expected a non-empty HxWx3 BGR crop, got shape {crop.shape}")
        start = time.perf_counter()
        raw, conf = self._recognise([crop])[0]
        h, w = crop.shape[:2]
        return self._candidate(raw, conf, crop, (0.0, 0.0, float(w), float(h)), start)

    def _candidate(
        self,
        raw: str,
        conf: float,
        crop: Image,
        box: tuple[float, float, float, float],
        start: float,
    ) -> PlateCandidate:
        fitted = match(raw, self.countries)
        return PlateCandidate(
            text=fitted.text,
            raw=raw,
            country=fitted.country,
            ocr_confidence=conf,
            score=conf * fitted.score,
            quality=crop_quality(crop),
            box=box,
            crop=crop,
            ms=(time.perf_counter() - start) * 1000.0,
        )

    def candidates(self, image: Image, vehicle: FloatArray) -> list[PlateCandidate]:
        """Every recognised plate candidate inside ``vehicle`` (xyxy), best first."""
        start = time.perf_counter()
        boxes = self.finder.find(image, np.asarray(vehicle, np.float32).reshape(1, 4))
        boxes = boxes[(boxes[:, 2] - boxes[:, 0]) >= self.min_plate_px]
        if len(boxes) == 0:
            return []
        boxes = join_line_pieces(boxes)
        order = np.argsort(-(boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
        cuts = [cut(image, boxes[i]) for i in order[:MAX_CANDIDATES]]
        cuts = [(c, b) for c, b in cuts if c.size]
        reads = self._recognise([c for c, _ in cuts])
        found = [
            self._candidate(raw, conf, c, b, start)
            for (raw, conf), (c, b) in zip(reads, cuts, strict=True)
            if raw
        ]
        return sorted(found, key=lambda c: -c.score)

    def read_vehicle(self, image: Image, vehicle: FloatArray) -> PlateCandidate | None:
        """The best plate candidate inside ``vehicle`` (xyxy), or None."""
        found = self.candidates(image, vehicle)
        return found[0] if found else None
