"""Recorded video for viewers without an unmask grant: plates (all text) are blurred
with the real text detector, not only faces (recordings carry no vehicle boxes)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from kuzet.core.types import Image
from kuzet.privacy.redaction import Redactor
from kuzet.record.redact import redact_video

PLATE = (180, 200, 460, 270)  # x1, y1, x2, y2 of the rendered plate


def _plate_frame() -> Image:
    image = np.full((360, 640, 3), 90, np.uint8)
    x1, y1, x2, y2 = PLATE
    cv2.rectangle(image, (x1, y1), (x2, y2), (255, 255, 255), -1)
    cv2.putText(image, "123ABC02", (x1 + 12, y2 - 18), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                (0, 0, 0), 4, cv2.LINE_AA)
    return image


def _write(path: Path, image: Image, frames: int = 10) -> None:
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=Fraction(5))
        stream.width, stream.height, stream.pix_fmt = image.shape[1], image.shape[0], "yuv420p"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(image, "bgr24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _first(container: av.container.InputContainer) -> object:
    return next(container.decode(video=0)).to_ndarray(format="bgr24")


def _detail(image: Image) -> float:
    x1, y1, x2, y2 = PLATE
    gray = cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY).astype(np.float32)
    return float(np.abs(np.diff(gray, axis=1)).mean())


def test_a_plate_in_recorded_video_is_blurred(tmp_path: Path) -> None:
    from kuzet.models.paths import find_model

    if find_model("ppocr-det") is None:
        pytest.skip("text detector not installed (kuzet models install)")
    src, dst = tmp_path / "clip.mp4", tmp_path / "redacted.mp4"
    _write(src, _plate_frame())
    assert redact_video(src, dst, Redactor()) == 10
    with av.open(str(dst)) as red, av.open(str(src)) as orig:
        original: Image = np.asarray(_first(orig), np.uint8)
        first: Image = np.asarray(_first(red), np.uint8)
    assert _detail(original) > 8, "the rendered plate should be sharp in the original"
    assert _detail(first) < 0.25 * _detail(original), (
        f"plate legible in the redacted copy: detail {_detail(first):.1f} "
        f"vs {_detail(original):.1f}")
