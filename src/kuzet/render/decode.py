"""One bounded decoder for images that come from users (uploads, files named on the CLI).

``cv2.imdecode`` allocates whatever the header asks for before it looks at the
data: a 389 KB PNG declaring 20000x20000 pixels took the server to 22.9 GB. So
:func:`decode_image` checks, in order, before anything is decoded:

1. the byte size (``ImageLimits.max_bytes``);
2. the format (magic bytes: PNG, JPEG, WebP or BMP; animated images are not
   accepted) and the pixel size, read from the header by the format's Pillow
   plugin, which parses only the header;
3. the pixel count (``ImageLimits.max_pixels``).

Only then does OpenCV decode, and the result must have the size the header
declared (EXIF rotation aside). Photos larger than ``ImageLimits.max_side`` on
their long side are shrunk, while decoding where the codec allows it (JPEG at
1/2, 1/4, 1/8) and then by resizing, so what reaches face detection stays small
(an 8000x8000 photo used to add 9.8 GB in enrolment).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from kuzet.core.types import Image

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 4096
FORMATS = frozenset({"PNG", "JPEG", "WEBP", "BMP"})


class ImageRejected(ValueError):
    """The image cannot be decoded safely; the message says why, with the numbers."""


class ImageTooLarge(ImageRejected):
    """Over a size limit (bytes or pixels).

    Attributes:
        in_bytes: True when the byte size is over (an HTTP 413); False for pixels.
    """

    def __init__(self, message: str, *, in_bytes: bool) -> None:
        super().__init__(message)
        self.in_bytes = in_bytes


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What :func:`decode_image` accepts.

    Attributes:
        max_bytes: Largest encoded size.
        max_pixels: Largest width x height, checked on the header before decoding.
        max_side: Longest side of the returned image; larger images are shrunk
            (JPEGs already while decoding); 0 = keep the full size.
    """

    max_bytes: int = MAX_IMAGE_BYTES
    max_pixels: int = MAX_IMAGE_PIXELS
    max_side: int = MAX_IMAGE_SIDE


@dataclass(frozen=True, slots=True)
class ImageHeader:
    """Format and pixel size as the header declares them."""

    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        """Width x height."""
        return self.width * self.height


def _sniff(data: bytes) -> str | None:
    """The format named by the magic bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data.startswith(b"BM"):
        return "BMP"
    return None


def read_header(data: bytes) -> ImageHeader:
    """Format and size from the header, without decoding pixels.

    The format's Pillow plugin is called directly (not ``Image.open``), so Pillow's
    own decompression-bomb error does not pre-empt this module's limits and message.

    Raises:
        ImageRejected: Not an image, or a format other than PNG, JPEG, WebP, BMP.
    """
    from PIL import BmpImagePlugin, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

    plugins: dict[str, type[ImageFile.ImageFile]] = {
        "PNG": PngImagePlugin.PngImageFile,
        "JPEG": JpegImagePlugin.JpegImageFile,
        "WEBP": WebPImagePlugin.WebPImageFile,
        "BMP": BmpImagePlugin.BmpImageFile,
    }
    fmt = _sniff(data)
    if fmt is None:
        raise ImageRejected("not a JPEG, PNG, WebP or BMP image")
    try:
        with plugins[fmt](io.BytesIO(data)) as pil:
            width, height = pil.size
            frames = int(getattr(pil, "n_frames", 1))
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise ImageRejected(f"not a readable {fmt} image: {error}") from error
    if frames != 1:
        raise ImageRejected(f"{fmt} with {frames} frames: upload a still JPEG or PNG")
    return ImageHeader(fmt, width, height)


def check_image(data: bytes, limits: ImageLimits = ImageLimits()) -> ImageHeader:
    """The header of ``data`` once its byte and pixel size are within ``limits``.

    Raises:
        ImageTooLarge: Over ``limits.max_bytes`` or ``limits.max_pixels``.
        ImageRejected: Not an accepted image.
    """
    if len(data) > limits.max_bytes:
        raise ImageTooLarge(
            f"image is {len(data) / 1_048_576:.1f} MiB; the limit is "
            f"{limits.max_bytes / 1_048_576:g} MiB",
            in_bytes=True,
        )
    header = read_header(data)
    if header.width <= 0 or header.height <= 0:
        raise ImageRejected(f"image declares an empty size {header.width}x{header.height}")
    if header.pixels > limits.max_pixels:
        raise ImageTooLarge(
            f"image is {header.width}x{header.height} pixels "
            f"({header.pixels / 1e6:.1f} megapixels); the limit is "
            f"{limits.max_pixels / 1e6:g} megapixels",
            in_bytes=False,
        )
    return header


def _reduction(header: ImageHeader, max_side: int) -> int:
    """1, 2, 4 or 8: the JPEG decode scale that brings the long side near ``max_side``."""
    if max_side <= 0 or header.format != "JPEG":
        return 1
    factor = 1
    while factor < 8 and max(header.width, header.height) / factor > max_side:
        factor *= 2
    return factor


def decode_image(data: bytes, limits: ImageLimits = ImageLimits()) -> Image:
    """A BGR uint8 image from user-supplied bytes, within ``limits``.

    Raises:
        ImageTooLarge: Over the byte or pixel limit (nothing was decoded).
        ImageRejected: Not an accepted image, or the data does not match its header.

    Example:
        >>> image = decode_image(open("photo.jpg", "rb").read())  # doctest: +SKIP
    """
    import cv2

    header = check_image(data, limits)
    factor = _reduction(header, limits.max_side)
    flags = {
        1: cv2.IMREAD_COLOR,
        2: cv2.IMREAD_REDUCED_COLOR_2,
        4: cv2.IMREAD_REDUCED_COLOR_4,
        8: cv2.IMREAD_REDUCED_COLOR_8,
    }[factor]
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None:
        raise ImageRejected(f"the {header.format} image could not be decoded (damaged?)")
    expected = sorted((-(-header.width // factor), -(-header.height // factor)))
    if sorted(image.shape[:2]) != expected:  # EXIF rotation may swap the sides
        raise ImageRejected(
            f"the image decoded to {image.shape[1]}x{image.shape[0]}, not the "
            f"{header.width}x{header.height} its header declares"
        )
    long_side = max(image.shape[:2])
    if 0 < limits.max_side < long_side:
        scale = limits.max_side / long_side
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image, dtype=np.uint8)
