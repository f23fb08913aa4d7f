"""JPEG coding: a round trip keeps the picture; bytes that are no image are refused."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.render.jpeg import decode_jpeg, encode_jpeg


@pytest.mark.parametrize(("quality", "max_error"), [(95, 4.0), (50, 12.0)])
def test_round_trip_keeps_the_picture(quality: int, max_error: float) -> None:
    x = np.linspace(0, 255, 96, dtype=np.float32)
    image = np.stack([np.tile(x, (64, 1))] * 3, axis=2).astype(np.uint8)
    jpeg = encode_jpeg(image, quality)
    assert jpeg[:2] == b"\xff\xd8"
    back = decode_jpeg(jpeg)
    assert back.shape == image.shape and back.flags.c_contiguous
    assert float(np.abs(back.astype(int) - image.astype(int)).mean()) < max_error


@pytest.mark.parametrize("data", [b"", b"not an image", b"\xff\xd8\xff\xe0 truncated"])
def test_undecodable_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="decodable"):
        decode_jpeg(data)
