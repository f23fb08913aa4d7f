"""JPEG bytes to BGR arrays and back, for images Kuzet made itself.

Snapshots, live frames and crops are encoded here and decoded here when they
are read back. Images that come from users (uploads, files named on the CLI)
go through the bounded :func:`kuzet.render.decode.decode_image` instead.
"""

from __future__ import annotations

import cv2
import numpy as np

from kuzet.core.types import Image


def encode_jpeg(image: Image, quality: int = 85) -> bytes:
    """JPEG bytes of a BGR image.

    Args:
        image: HxWx3 (or HxW) uint8 BGR.
        quality: JPEG quality 1-100.

    Returns:
        The encoded bytes.

    Raises:
        ValueError: The encoder failed.

    Example:
        >>> encode_jpeg(np.zeros((8, 8, 3), np.uint8))[:2]
        b'\\xff\\xd8'
    """
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf.tobytes())


def decode_jpeg(data: bytes) -> Image:
    """BGR image from encoded image bytes (JPEG, or any format OpenCV reads).

    Args:
        data: The encoded image.

    Returns:
        HxWx3 uint8 BGR, C-contiguous.

    Raises:
        ValueError: The bytes are not a decodable image.

    Example:
        >>> decode_jpeg(encode_jpeg(np.zeros((8, 8, 3), np.uint8))).shape
        (8, 8, 3)
    """
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise ValueError("not a decodable JPEG")
    return np.ascontiguousarray(image, dtype=np.uint8)
