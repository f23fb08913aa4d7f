"""RapidOCR text reader on a synthetic sign."""

from __future__ import annotations

import numpy as np
import pytest


def test_reads_a_rendered_plate() -> None:
    cv2 = pytest.importorskip("cv2")
    pytest.importorskip("rapidocr_onnxruntime")
    from kuzet.enrich.text.ocr import TextReader

    image = np.full((120, 480, 3), 255, np.uint8)
    cv2.putText(image, "KZ 123 ABC", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.8, (0, 0, 0), 4)
    found = TextReader(threads=2).read(image)
    assert len(found) >= 1 and found.class_names == ("text",)
    text = "".join(found.attrs["text"]).replace(" ", "")
    assert "123" in text and "ABC" in text
    assert found.attrs["polygon"].shape == (len(found), 4, 2)
    empty = TextReader(threads=1).read(np.full((64, 64, 3), 255, np.uint8))
    assert len(empty) == 0 and empty.attrs["text"].shape == (0,)
