"""Photo checks for citizen uploads: type by content, size and decode limits, re-encoding.

The original file is kept as evidence (with its EXIF GPS read out into the
record); what anyone is shown is a fresh JPEG re-encoded from the pixels, with
no metadata at all.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from kuzet.citizen.errors import Reason, Rejected

# The formats accepted, by their first bytes (never by a declared type or a name).
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
WEBP = "webp"
GPS_IFD = 0x8825
DISPLAY_QUALITY = 85


@dataclass(frozen=True, slots=True)
class CleanPhoto:
    """One checked photo.

    Attributes:
        original: The bytes as uploaded (evidence; never shown).
        original_type: ``jpeg``, ``png`` or ``webp``.
        display: The re-encoded JPEG without metadata (what is shown).
        width: Width of ``display``.
        height: Height of ``display``.
        gps: EXIF GPS of the original (lat, lon), if it had one.
    """

    original: bytes
    original_type: str
    display: bytes
    width: int
    height: int
    gps: tuple[float, float] | None

    @property
    def original_sha256(self) -> str:
        """Hex SHA-256 of the original."""
        return hashlib.sha256(self.original).hexdigest()


def sniff(data: bytes) -> str | None:
    """The image type from the first bytes, or None."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def _ratio(value: Any) -> float:
    return float(value[0]) / float(value[1]) if isinstance(value, tuple) else float(value)


def _gps(image: Image.Image) -> tuple[float, float] | None:
    """(lat, lon) from EXIF GPS, or None (absent or unreadable)."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
        lat = sum(_ratio(v) / 60**i for i, v in enumerate(gps[2]))
        lon = sum(_ratio(v) / 60**i for i, v in enumerate(gps[4]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    lat = -lat if gps.get(1) == "S" else lat
    lon = -lon if gps.get(3) == "W" else lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 6), round(lon, 6)


def clean_photo(data: bytes, max_bytes: int, max_pixels: int, max_side: int) -> CleanPhoto:
    """Check one upload and re-encode it.

    Args:
        data: The file as uploaded.
        max_bytes: Largest file accepted.
        max_pixels: Largest width x height decoded (read from the header first).
        max_side: Longest side of the displayed copy.

    Raises:
        Rejected: Too large, not a JPEG/PNG/WebP, over the decode limit, or undecodable.
    """
    if len(data) > max_bytes:
        raise Rejected(Reason.TOO_LARGE, f"a photo may be at most {max_bytes} bytes")
    kind = sniff(data)
    if kind is None:
        raise Rejected(Reason.BAD_TYPE, "photos must be JPEG, PNG or WebP images")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind.upper()])
            width, height = image.size
            if width * height > max_pixels:
                raise Rejected(Reason.TOO_LARGE, f"a photo may have at most {max_pixels} pixels")
            image.load()
            shown = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Rejected(Reason.BAD_IMAGE, "a photo could not be decoded") from error
    gps = _gps(image)
    shown.thumbnail((max_side, max_side))
    out = io.BytesIO()
    shown.save(out, "JPEG", quality=DISPLAY_QUALITY)  # no exif=, so no metadata
    return CleanPhoto(data, kind, out.getvalue(), shown.width, shown.height, gps)
