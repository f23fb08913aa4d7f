"""Plan images: real decoding within byte, pixel and time limits, then re-encoding."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import cv2
import numpy as np
import pytest

from image_bombs import bomb_png
from kuzet.maps.images import PLAN_LIMITS, PlanImageError, prepare_plan_image
from kuzet.render.decode import ImageLimits


def _encoded(ext: str, width: int = 640, height: int = 480) -> bytes:
    image = np.zeros((height, width, 3), np.uint8)
    cv2.circle(image, (width // 2, height // 2), min(width, height) // 3, (0, 200, 255), -1)
    ok, data = cv2.imencode(ext, image)
    assert ok
    return data.tobytes()


def _with_text_chunk(png: bytes) -> bytes:
    """``png`` with a tEXt chunk after IHDR and junk after IEND."""
    body = b"Comment\x00secret-metadata"
    chunk = (struct.pack(">I", len(body)) + b"tEXt" + body
             + struct.pack(">I", zlib.crc32(b"tEXt" + body) & 0xFFFFFFFF))
    return png[:33] + chunk + png[33:] + b"trailing-junk"


@pytest.mark.parametrize(
    ("make", "media_type", "size"),
    [
        (lambda: _encoded(".png"), "image/png", (640, 480)),
        (lambda: _encoded(".jpg"), "image/jpeg", (640, 480)),
        (lambda: _encoded(".bmp"), "image/png", (640, 480)),
        (lambda: _encoded(".webp"), "image/png", (640, 480)),
        (lambda: _encoded(".png", 6000, 3000), "image/png", (4096, 2048)),  # shrunk
    ],
    ids=["png", "jpeg", "bmp", "webp", "large"],
)
def test_accepted_images_are_re_encoded(make: Callable[[], bytes], media_type: str,
                                        size: tuple[int, int]) -> None:
    plan = prepare_plan_image(make())
    assert (plan.media_type, (plan.width, plan.height)) == (media_type, size)
    decoded = cv2.imdecode(np.frombuffer(plan.data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape[:2] == (size[1], size[0])


def test_metadata_and_trailing_bytes_are_not_kept() -> None:
    sent = _with_text_chunk(_encoded(".png"))
    assert b"secret-metadata" in sent
    stored = prepare_plan_image(sent).data
    assert b"secret-metadata" not in stored and not stored.endswith(b"trailing-junk")


@pytest.mark.parametrize(
    ("make", "limits", "words", "too_large"),
    [
        (lambda: b"GIF89a" + b"\x00" * 100, PLAN_LIMITS, "not a JPEG, PNG, WebP or BMP", False),
        (lambda: _encoded(".png")[:100], PLAN_LIMITS, "not a usable image", False),
        (lambda: bomb_png(12000, 12000), PLAN_LIMITS, "megapixels", False),
        (lambda: _encoded(".png"), ImageLimits(max_bytes=1000), "MiB", True),
    ],
    ids=["gif", "truncated", "pixels", "bytes"],
)
def test_refusals_say_why(make: Callable[[], bytes], limits: ImageLimits, words: str,
                          too_large: bool) -> None:
    with pytest.raises(PlanImageError, match=words) as caught:
        prepare_plan_image(make(), limits)
    assert caught.value.too_large is too_large


def test_decoding_is_refused_past_the_time_limit() -> None:
    data = bomb_png(6000, 6000)  # 36 MP: within the pixel limit, ~0.1 MB, slow to inflate
    with pytest.raises(PlanImageError, match="longer than 0.01 s"):
        prepare_plan_image(data, timeout_s=0.01)
    assert prepare_plan_image(data).width == 4096  # the same image, given time
