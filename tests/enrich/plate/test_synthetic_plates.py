"""A synthetic Kazakh / Russian / Ukrainian plate set, one- and two-line, read end to end.

The plates are rendered here (text on plate-shaped images), written as a crops
folder with ``labels.csv`` (labels in the plate's own script: Cyrillic for RU and
UA), and read by ``kuzet eval plates``'s code path with the real recogniser.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from kuzet.enrich.plate.reader import PlateReader
from kuzet.eval.plates import evaluate_plates

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

# (label as written on the plate, lines as rendered, band code or "")
PLATES = [
    ("123 ABC 02", ["123 ABC 02"], "KZ"),
    ("777 KZA 17", ["777 KZA 17"], "KZ"),
    ("045 AT 01", ["045 AT 01"], "KZ"),
    ("А 123 ВС 77", ["А 123 ВС 77"], "RUS"),
    ("М 456 ОР 199", ["М 456 ОР 199"], "RUS"),
    ("АА 1234 ВВ", ["АА 1234 ВВ"], "UA"),
    ("КА 0917 ТІ", ["КА 0917 ТІ"], "UA"),
    ("В 321 ТХ 750", ["В 321 ТХ", "750"], ""),  # two-line RU square plate
    ("ВС 4321 НО", ["ВС 4321", "НО"], ""),  # two-line UA plate
    ("555 AAE 05", ["555 AAE", "05"], ""),  # two-line KZ plate
]


def _font(size: int) -> ImageFont.FreeTypeFont:
    if not FONT.is_file():
        pytest.skip(f"{FONT} not found (the Cyrillic-capable font used to render plates)")
    return ImageFont.truetype(str(FONT), size)


def render(lines: list[str], band: str) -> np.ndarray:
    """A BGR plate: white, black border, optional blue band with a country code."""
    font = _font(56)
    band_font = _font(20)
    widths = [font.getbbox(line)[2] for line in lines]
    band_w = 44 if band else 0
    w, h = max(widths) + band_w + 40, 76 * len(lines) + 16
    plate = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(plate)
    draw.rectangle((2, 2, w - 3, h - 3), outline="black", width=4)
    if band:
        draw.rectangle((6, 6, band_w, h - 7), fill=(0, 60, 170))
        draw.text((9, h - 34), band, font=band_font, fill="white")
    for i, (line, lw) in enumerate(zip(lines, widths, strict=True)):
        draw.text((band_w + (w - band_w - lw) // 2, 8 + 76 * i), line, font=font, fill="black")
    rgb = np.asarray(plate, np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


@pytest.fixture(scope="module")
def plates_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic_plates")
    rows = ["image,plate"]
    for i, (label, lines, band) in enumerate(PLATES):
        Image.fromarray(render(lines, band)[:, :, ::-1]).save(folder / f"plate{i}.png")
        rows.append(f"plate{i}.png,{label}")
    rows.append("plate0.png,Ж123ЦBC")  # a label with letters no plate here has
    (folder / "labels.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_synthetic_kz_ru_ua_plates_are_read_exactly(plates_dir: Path) -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    reader = PlateReader(countries=("KZ", "RU", "UA"))
    report = evaluate_plates(plates_dir, reader, None).to_json()
    results = report["results"][: len(PLATES)]
    wrong = [(r["plate"], r["predicted"], r["raw"]) for r in results if not r["exact"]]
    assert wrong == []
    formats = [r["plate_format"] for r in results]
    assert formats[:3] == ["KZ current", "KZ current", "KZ current legal entity"]
    assert formats[3:5] == ["RU private", "RU private 3-digit region"]
    assert formats[5:7] == ["UA 2004", "UA 2004"]
    assert formats[7:] == ["RU private 3-digit region", "UA 2004", "KZ current"]
    # labels keep every character: Ж and Ц are compared, not deleted
    assert report["results"][-1]["plate"] == "Ж123ЦBC"
    assert not report["results"][-1]["exact"]
