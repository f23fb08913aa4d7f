"""Redaction by default: faces, heads of small people and plates, blurred beyond recovery.

``Redactor.find`` locates what must be hidden, with the face and plate finders
of :mod:`kuzet.enrich` (privacy uses perception; it does not own it);
``blur_regions`` hides it (:func:`kuzet.render.blur.blur_boxes`: pixelate to a
few cells, then a strong Gaussian blur, on a box enlarged by a margin). The
camera worker runs ``find`` on tracked person and vehicle boxes while someone
watches and ships the regions with the live JPEG; the supervisor applies them
once per frame; exports and snapshots call ``redact_jpeg``.

Err on the side of blurring: besides the faces found, the head region (top
``head_fraction``) of every person box is blurred, so people too small for the
face detector (or turned away) are still redacted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kuzet.config.privacy import PrivacyConfig
from kuzet.core.errors import ModelError
from kuzet.core.types import FloatArray, Image
from kuzet.enrich.face.finder import faces_in_image, faces_in_person
from kuzet.render.blur import blur_boxes
from kuzet.render.jpeg import decode_jpeg, encode_jpeg

if TYPE_CHECKING:
    from kuzet.enrich.face.detector import FaceDetector
    from kuzet.enrich.plate.finder import PlateFinder

MAX_PERSON_CROPS = 40  # beyond this many people, heads are blurred without a face pass


def _empty() -> FloatArray:
    return np.zeros((0, 4), np.float32)


@dataclass(frozen=True, slots=True)
class Regions:
    """Boxes to blur, in pixels of the image they were found in.

    Attributes:
        xyxy: (N,4) float32 boxes (before the margin is added).
        kinds: N labels: ``face``, ``head`` or ``plate``.
    """

    xyxy: FloatArray = field(default_factory=_empty)
    kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.xyxy.ndim != 2 or self.xyxy.shape[1] != 4 or len(self.kinds) != len(self.xyxy):
            raise ValueError(
                f"expected (N,4) boxes and N kinds, got {self.xyxy.shape} and {len(self.kinds)}"
            )

    def __len__(self) -> int:
        return len(self.kinds)

    def count(self, kind: str) -> int:
        """How many regions are of ``kind``."""
        return self.kinds.count(kind)

    @staticmethod
    def of(kind: str, boxes: FloatArray) -> Regions:
        """All ``boxes`` with one kind."""
        arr = np.asarray(boxes, np.float32).reshape(-1, 4)
        return Regions(arr, (kind,) * len(arr))

    def merge(self, other: Regions) -> Regions:
        """Both sets of regions."""
        return Regions(np.concatenate([self.xyxy, other.xyxy]), self.kinds + other.kinds)

    def scaled(self, sx: float, sy: float) -> Regions:
        """The regions in an image resized by ``sx`` (width) and ``sy`` (height)."""
        factor = np.array([sx, sy, sx, sy], np.float32)
        return Regions((self.xyxy * factor).astype(np.float32), self.kinds)


def blur_regions(image: Image, regions: Regions, margin: float = 0.25) -> Image:
    """A copy of ``image`` with every region pixelated and blurred (irreversibly).

    Args:
        image: HxWx3 uint8 BGR (not modified).
        regions: Boxes in ``image`` pixels.
        margin: Each box grows by this share of its size on every side.

    Returns:
        The redacted copy.

    Example:
        >>> img = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
        >>> out = blur_regions(img, Regions.of("face", np.array([[16, 16, 48, 48]])))
        >>> bool((out[:4, :4] == img[:4, :4]).all())
        True
    """
    return blur_boxes(image, regions.xyxy, margin)


def head_regions(people: FloatArray, fraction: float) -> FloatArray:
    """The top ``fraction`` of each person box (where the head is)."""
    heads = np.asarray(people, np.float32).reshape(-1, 4).copy()
    heads[:, 3] = heads[:, 1] + (heads[:, 3] - heads[:, 1]) * fraction
    return heads


class Redactor:
    """Finds faces and plates and blurs them.

    Models load on first use, so a redactor that never sees a face costs nothing.

    Example:
        >>> redacted, regions = Redactor().redact(frame, people_xyxy=people)  # doctest: +SKIP
        >>> safe = Redactor().redact_jpeg(snapshot_jpeg)  # doctest: +SKIP
    """

    def __init__(
        self, config: PrivacyConfig | None = None, threads: int = 1, face_model: Path | None = None
    ) -> None:
        """Keep the settings; models are loaded lazily.

        Args:
            config: The ``privacy`` section (defaults when None).
            threads: ONNX Runtime intra-op threads of each model.
            face_model: ``centerface.onnx``; None looks it up in the model folder.
        """
        self.config = config or PrivacyConfig()
        self.threads = threads
        self._face_model = face_model
        self._faces: FaceDetector | None = None
        self._plates: PlateFinder | None = None

    @property
    def faces(self) -> FaceDetector:
        """The CenterFace detector (loaded on first use).

        Raises:
            ModelError: ``centerface`` is not installed (``kuzet models install``).
        """
        if self._faces is None:
            from kuzet.enrich.face.detector import FaceDetector
            from kuzet.models import find_model

            path = self._face_model or find_model("centerface")
            if path is None:
                raise ModelError("centerface model missing: run `kuzet models install`")
            self._faces = FaceDetector(
                Path(path), threads=self.threads, min_score=self.config.face_min_score
            )
        return self._faces

    @property
    def plates(self) -> PlateFinder:
        """The plate finder (loaded on first use)."""
        if self._plates is None:
            from kuzet.enrich.plate.finder import PlateFinder

            self._plates = PlateFinder(self.threads, self.config.plate_min_score)
        return self._plates

    def _faces_in_person(self, image: Image, person: FloatArray) -> FloatArray:
        return faces_in_person(self.faces, image, person).xyxy

    def _people(self, image: Image, people: FloatArray) -> Regions:
        cfg = self.config
        faces: list[FloatArray] = []
        if cfg.redact_faces:
            faces = [self._faces_in_person(image, p) for p in people[:MAX_PERSON_CROPS]]
        regions = Regions.of("face", np.concatenate(faces) if faces else _empty())
        if cfg.blur_heads and len(people):
            # Always, not only where no face was found: a false face elsewhere in
            # the crop must not leave the real (too small) one readable.
            regions = regions.merge(Regions.of("head", head_regions(people, cfg.head_fraction)))
        return regions

    def find(
        self,
        image: Image,
        people_xyxy: FloatArray | None = None,
        vehicles_xyxy: FloatArray | None = None,
    ) -> Regions:
        """What must be hidden in ``image``.

        Args:
            image: HxWx3 uint8 BGR.
            people_xyxy: (N,4) person boxes (faces are searched in upscaled crops
                of their upper part; head regions are blurred); None runs the
                face detector on the whole image instead.
            vehicles_xyxy: (M,4) vehicle boxes; plates are searched only inside
                them (None or empty: no plate search).

        Returns:
            Face, head and plate regions in ``image`` pixels.
        """
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an HxWx3 BGR image, got shape {image.shape}")
        regions = Regions()
        if people_xyxy is None:
            if self.config.redact_faces:
                regions = Regions.of("face", faces_in_image(self.faces, image))
        else:
            regions = self._people(image, np.asarray(people_xyxy, np.float32).reshape(-1, 4))
        if self.config.redact_plates and vehicles_xyxy is not None and len(vehicles_xyxy):
            regions = regions.merge(Regions.of("plate", self.plates.find(image, vehicles_xyxy)))
        return regions

    def find_whole(self, image: Image) -> Regions:
        """What must be hidden in an image with no tracked boxes (recorded video).

        Faces are searched in the whole image and, with ``redact_plates``, every text
        box is taken for a plate: without vehicle boxes no plate filter can be
        trusted, so all text is hidden (fails closed).
        """
        regions = self.find(image)
        if self.config.redact_plates:
            regions = regions.merge(Regions.of("plate", self.plates.text_boxes(image)))
        return regions

    def apply(self, image: Image, regions: Regions) -> Image:
        """``image`` with ``regions`` blurred (a copy)."""
        return blur_regions(image, regions, self.config.margin)

    def redact(
        self,
        image_bgr: Image,
        people_xyxy: FloatArray | None = None,
        vehicles_xyxy: FloatArray | None = None,
    ) -> tuple[Image, Regions]:
        """Find and blur faces and plates; returns the redacted copy and the regions."""
        regions = self.find(image_bgr, people_xyxy, vehicles_xyxy)
        return self.apply(image_bgr, regions), regions

    def redact_jpeg(
        self,
        jpeg: bytes,
        people_xyxy: FloatArray | None = None,
        vehicles_xyxy: FloatArray | None = None,
        quality: int = 85,
    ) -> bytes:
        """:meth:`redact` on JPEG bytes (snapshots, exports).

        Raises:
            ValueError: ``jpeg`` does not decode, or encoding fails.
        """
        image = decode_jpeg(jpeg)
        redacted, _regions = self.redact(image, people_xyxy, vehicles_xyxy)
        return encode_jpeg(redacted, quality)


def redact_jpeg_regions(jpeg: bytes, regions: Regions, margin: float, quality: int = 80) -> bytes:
    """Blur known ``regions`` (pixels of the decoded JPEG) in JPEG bytes; no model runs."""
    if len(regions) == 0:
        return jpeg
    return encode_jpeg(blur_regions(decode_jpeg(jpeg), regions, margin), quality)
