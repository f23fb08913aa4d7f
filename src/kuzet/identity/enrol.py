"""Enrolment: one photo -> exactly one good face -> a 128-D embedding.

A photo is refused, with a message saying why, when it cannot be decoded, shows
no face or several faces, or the face is too small or too blurry to enrol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kuzet.config.identity import IdentityConfig
from kuzet.core.types import Image
from kuzet.render.decode import ImageRejected, ImageTooLarge, decode_image
from kuzet.render.jpeg import encode_jpeg

SHARPNESS_SIDE = 112


class EnrolmentError(ValueError):
    """The photo cannot be enrolled; the message tells the user what to change."""


class PhotoTooLarge(EnrolmentError, ImageTooLarge):
    """The photo is over the byte or pixel limit (``in_bytes``: HTTP 413, else 422)."""


@dataclass(frozen=True, slots=True)
class EnrolledFace:
    """The face found in an enrolment photo.

    Attributes:
        embedding: (128,) float32 dlib descriptor.
        box: Face box xyxy in the photo.
        quality: 0-1 (size and sharpness).
        jpeg: The photo re-encoded as JPEG (what is stored).
    """

    embedding: npt.NDArray[np.float32]
    box: tuple[float, float, float, float]
    quality: float
    jpeg: bytes


def sharpness(image: Image, box: tuple[float, float, float, float]) -> float:
    """Variance of the Laplacian of the face crop, resized to 112 px (higher = sharper)."""
    import cv2

    x1, y1, x2, y2 = (int(round(v)) for v in box)
    crop = image[max(y1, 0):max(y2, 0), max(x1, 0):max(x2, 0)]
    if crop.size == 0:
        return 0.0
    gray = cv2.cvtColor(cv2.resize(crop, (SHARPNESS_SIDE, SHARPNESS_SIDE)), cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def decode_photo(data: bytes) -> Image:
    """A BGR image from JPEG/PNG bytes, through the bounded decoder.

    The byte size, format and pixel size are checked on the header before any
    pixel is decoded, and large photos come back shrunk to ``MAX_IMAGE_SIDE``
    (see :mod:`kuzet.render.decode`).

    Raises:
        ImageTooLarge: Over the byte or pixel limit (an ``EnrolmentError`` too).
        EnrolmentError: The bytes are not a decodable image.
    """
    try:
        return decode_image(data)
    except ImageTooLarge as error:
        raise PhotoTooLarge(str(error), in_bytes=error.in_bytes) from error
    except ImageRejected as error:
        raise EnrolmentError(f"the photo could not be decoded: {error}") from error


class Enroller:
    """Detects (CenterFace), checks quality, embeds (dlib); models load on first use.

    Example:
        >>> face = Enroller(IdentityConfig()).enrol(open("p.jpg", "rb").read())  # doctest: +SKIP
    """

    def __init__(self, config: IdentityConfig, detector: Any = None, embedder: Any = None) -> None:
        """Keep the settings; ``detector``/``embedder`` may be given (tests, sharing)."""
        self.config = config
        self._detector = detector
        self._embedder = embedder

    def _models(self) -> tuple[Any, Any]:
        if self._detector is None:
            from kuzet.enrich.face.detector import FaceDetector
            from kuzet.models.paths import require_model

            self._detector = FaceDetector(require_model("centerface"),
                                          min_score=self.config.enrol_min_score)
        if self._embedder is None:
            from kuzet.enrich.face.embedder import FaceEmbedder

            self._embedder = FaceEmbedder()
        return self._detector, self._embedder

    def enrol(self, data: bytes) -> EnrolledFace:
        """The single face of a photo, checked and embedded.

        Raises:
            EnrolmentError: No face, several faces, too small or too blurry.
        """
        image = decode_photo(data)
        detector, embedder = self._models()
        faces = detector.detect(image)
        keep = np.asarray(faces.score) >= self.config.enrol_min_score
        boxes = np.asarray(faces.xyxy, np.float32)[keep]
        if len(boxes) == 0:
            raise EnrolmentError("no face found in the photo: use a frontal, well-lit photo "
                                 "in which the face is clearly visible")
        if len(boxes) > 1:
            raise EnrolmentError(f"the photo shows {len(boxes)} faces: enrol a photo "
                                 "with exactly one face (crop the others out)")
        box = (float(boxes[0][0]), float(boxes[0][1]), float(boxes[0][2]), float(boxes[0][3]))
        side = min(box[2] - box[0], box[3] - box[1])
        if side < self.config.min_face_px:
            raise EnrolmentError(f"the face is too small ({side:.0f} px; at least "
                                 f"{self.config.min_face_px} px needed): use a closer photo")
        sharp = sharpness(image, box)
        if sharp < self.config.min_sharpness:
            raise EnrolmentError(f"the face is too blurry (sharpness {sharp:.1f}; at least "
                                 f"{self.config.min_sharpness:.1f} needed): use a sharper photo")
        embedding = np.asarray(embedder.embed(image, np.asarray([box], np.float32))[0],
                               np.float32)
        quality = min(1.0, side / 200.0) * min(1.0, sharp / (4 * self.config.min_sharpness or 1))
        try:
            encoded = encode_jpeg(image, 92)
        except ValueError:
            raise EnrolmentError("the photo could not be re-encoded as JPEG") from None
        return EnrolledFace(embedding, box, round(float(quality), 3), encoded)
