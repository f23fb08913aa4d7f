"""The bounded decoder (render.decode) behind enrolment photos (issue 14, finding 10)."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image as PilImage

from image_bombs import bomb_png, memory_guard
from kuzet.identity.enrol import EnrolmentError, PhotoTooLarge, decode_photo
from kuzet.render.decode import (
    ImageLimits,
    ImageRejected,
    ImageTooLarge,
    check_image,
    decode_image,
)


def encoded(width: int, height: int, fmt: str, **save: object) -> bytes:
    """A real image file: a gradient, so that codecs have something to code."""
    ramp = np.linspace(0, 255, width, dtype=np.uint8)
    image = np.repeat(np.repeat(ramp[None, :, None], height, axis=0), 3, axis=2)
    buffer = io.BytesIO()
    PilImage.fromarray(image).save(buffer, fmt, **save)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("size", "limit_px", "words"),
    [
        ((20000, 20000), 40_000_000, "20000x20000 pixels (400.0 megapixels); the limit is 40"),
        ((8000, 8000), 40_000_000, "8000x8000 pixels (64.0 megapixels)"),
        ((3000, 2000), 5_000_000, "3000x2000 pixels (6.0 megapixels); the limit is 5"),
    ],
)
def test_pixel_limit_is_checked_on_the_header(
    size: tuple[int, int], limit_px: int, words: str
) -> None:
    bomb = bomb_png(*size)
    started = time.monotonic()
    with memory_guard(limit_mb=600) as memory, pytest.raises(ImageTooLarge) as refused:
        decode_image(bomb, ImageLimits(max_pixels=limit_px))
    assert time.monotonic() - started < 2
    assert memory.peak_growth_mb < 100
    assert words in str(refused.value) and refused.value.in_bytes is False


def test_byte_limit_comes_first() -> None:
    with pytest.raises(ImageTooLarge) as refused:
        check_image(b"\x89PNG\r\n\x1a\n" + bytes(2048), ImageLimits(max_bytes=1024))
    assert refused.value.in_bytes is True
    assert "the limit is 0.000976562 MiB" in str(refused.value)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"not an image at all", "not a JPEG, PNG, WebP or BMP"),
        (encoded(40, 30, "GIF"), "not a JPEG, PNG, WebP or BMP"),
        (encoded(40, 30, "PNG")[:60], "could not be decoded"),
        (encoded(400, 300, "JPEG")[:200], "not a readable JPEG"),
    ],
)
def test_damaged_or_foreign_files_are_rejected(data: bytes, words: str) -> None:
    with pytest.raises(ImageRejected) as refused:
        decode_image(data)
    assert words in str(refused.value)


@pytest.mark.parametrize(
    ("size", "fmt", "shape"),
    [
        ((640, 480), "PNG", (480, 640, 3)),
        ((640, 480), "JPEG", (480, 640, 3)),
        ((640, 480), "WEBP", (480, 640, 3)),
        ((640, 480), "BMP", (480, 640, 3)),
        ((6000, 4000), "JPEG", (2000, 3000, 3)),  # decoded at 1/2 by libjpeg
        ((6000, 4000), "PNG", (2731, 4096, 3)),
    ],
)
def test_accepted_images_decode_to_bgr_within_max_side(
    size: tuple[int, int], fmt: str, shape: tuple[int, int, int]
) -> None:
    image = decode_image(encoded(*size, fmt))
    assert image.shape == shape and image.dtype == np.uint8


def test_decode_photo_turns_refusals_into_enrolment_errors() -> None:
    with pytest.raises(PhotoTooLarge) as refused:
        decode_photo(bomb_png(20000, 20000))
    assert isinstance(refused.value, EnrolmentError) and "40 megapixels" in str(refused.value)
    with pytest.raises(EnrolmentError, match="could not be decoded: not a JPEG"):
        decode_photo(b"hello")
