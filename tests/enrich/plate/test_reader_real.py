"""The plate reader on real photos and crops from ../shared/data/plates (skipped without it)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kuzet.enrich.plate.reader import PlateReader
from kuzet.eval.plates import box_hit, read_samples

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "plates"


@pytest.fixture(scope="module")
def reader() -> PlateReader:
    pytest.importorskip("rapidocr_onnxruntime")
    return PlateReader(countries=("EU", "CN", "BR"))


def _need(folder: Path) -> Path:
    if not folder.is_dir():
        pytest.skip(f"{folder} not found (evaluation data lives in ../shared/data)")
    return folder


def test_reads_european_plates_in_whole_photos(reader: PlateReader) -> None:
    _layout, samples = read_samples(_need(DATA / "openalpr_eu"))
    picked = [s for s in samples if s.box is not None][:8]
    exact = located = 0
    for sample in picked:
        image = cv2.imread(str(sample.path))
        h, w = image.shape[:2]
        best = reader.read_vehicle(image, np.array([0, 0, w, h], np.float32))
        assert sample.box is not None
        located += best is not None and box_hit(best.box, sample.box)
        exact += best is not None and best.text == sample.plate
    assert located >= 7 and exact >= 5


def test_reads_chinese_plate_crops(reader: PlateReader) -> None:
    _layout, samples = read_samples(_need(DATA / "lprnet_chinese"))
    exact = 0
    for sample in samples[:20]:
        crop = cv2.imdecode(np.fromfile(str(sample.path), np.uint8), cv2.IMREAD_COLOR)
        found = reader.read_crop(crop)
        exact += found.text == sample.plate and found.country == "CN"
        assert found.ms > 0
    assert exact >= 18
