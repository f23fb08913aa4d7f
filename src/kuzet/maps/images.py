"""A site plan's image: decoded within limits on bytes, pixels and time, then re-encoded.

Uploads go through the bounded decoder (:func:`kuzet.render.decode.decode_image`):
the byte size, format and pixel size are checked on the header before any
pixel is decoded. Decoding then runs against a clock: a plan whose decoding
takes longer than ``timeout_s`` is refused (the decoder thread, bounded by the
pixel limit, finishes in the background and its result is dropped). What is
stored is the decoded image encoded again (PNG, or JPEG for a JPEG upload):
metadata, trailing bytes and anything else the upload carried are not kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2

from kuzet.core.types import Image
from kuzet.render.decode import (
    MAX_IMAGE_BYTES,
    ImageLimits,
    ImageRejected,
    ImageTooLarge,
    check_image,
    decode_image,
)

PLAN_LIMITS = ImageLimits(max_bytes=MAX_IMAGE_BYTES, max_pixels=40_000_000, max_side=4096)
DECODE_TIMEOUT_S = 15.0
JPEG_QUALITY = 90


class PlanImageError(ValueError):
    """The upload is not an acceptable plan image; ``too_large`` for a 413 (bytes).

    Attributes:
        too_large: True when the byte size is over the limit.
    """

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


@dataclass(frozen=True, slots=True)
class PlanImage:
    """A plan image ready to store.

    Attributes:
        data: The re-encoded file.
        media_type: ``image/png`` or ``image/jpeg``.
        width: Pixels across (after any shrinking).
        height: Pixels down.
    """

    data: bytes
    media_type: str
    width: int
    height: int


def _within(work: Callable[[], Image], timeout_s: float) -> Image:
    """``work()`` on a daemon thread; its result, or PlanImageError after ``timeout_s``."""
    result: list[Image] = []
    failure: list[ImageRejected | cv2.error | MemoryError] = []
    done = threading.Event()

    def run() -> None:
        try:
            result.append(work())
        except (ImageRejected, cv2.error, MemoryError) as error:
            failure.append(error)
        finally:
            done.set()

    threading.Thread(target=run, name="plan-image-decode", daemon=True).start()
    if not done.wait(timeout_s):
        raise PlanImageError(f"the image took longer than {timeout_s:g} s to decode")
    if failure:
        raise failure[0]
    if not result:
        raise PlanImageError("the image could not be decoded")
    return result[0]


def prepare_plan_image(
    data: bytes, limits: ImageLimits = PLAN_LIMITS, timeout_s: float = DECODE_TIMEOUT_S
) -> PlanImage:
    """Check, decode and re-encode an uploaded plan image.

    Args:
        data: The uploaded bytes.
        limits: Byte, pixel and side limits (images larger than ``max_side`` shrink).
        timeout_s: Longest decoding time accepted.

    Returns:
        The image to store.

    Raises:
        PlanImageError: Not a JPEG, PNG, WebP or BMP image, damaged, over a limit
            (``too_large`` for bytes) or too slow to decode.

    Example:
        >>> plan = prepare_plan_image(open("floor.png", "rb").read())  # doctest: +SKIP
        >>> plan.media_type, plan.width
        ('image/png', 1600)
    """
    started = time.monotonic()
    try:
        header = check_image(data, limits)
        image = _within(lambda: decode_image(data, limits), timeout_s)
    except ImageTooLarge as error:
        raise PlanImageError(str(error), too_large=error.in_bytes) from error
    except (ImageRejected, cv2.error, MemoryError) as error:
        raise PlanImageError(f"not a usable image: {error}") from error
    as_jpeg = header.format == "JPEG"
    ext, params = (".jpg", [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]) if as_jpeg else (".png", [])
    ok, encoded = cv2.imencode(ext, image, params)
    if not ok:
        raise PlanImageError("the image could not be encoded again")
    left = timeout_s - (time.monotonic() - started)
    if left < 0:
        raise PlanImageError(f"the image took longer than {timeout_s:g} s to process")
    height, width = image.shape[:2]
    media_type = "image/jpeg" if as_jpeg else "image/png"
    return PlanImage(encoded.tobytes(), media_type, int(width), int(height))
