"""The redacted evidence image of a plate hit: the vehicle scene with its plate hidden.

A hit's snapshot is the vehicle in its surroundings (``core.sightings.PlateScene``);
viewers without an unmask grant get the copy made here. The plate that was read
is blurred at its known box whatever the models find, then faces and other plates
are searched with the :class:`~kuzet.privacy.redaction.Redactor`. When that search
fails the whole scene is pixelated (fail closed). A hit without a scene (an old
read) keeps its plate crop, whose redacted copy is pixelated entirely: a crop
*is* the plate.
"""

from __future__ import annotations

import logging

import numpy as np

from kuzet.core.sightings import PlateScene
from kuzet.privacy.redaction import Redactor, Regions
from kuzet.render.blur import pixelate
from kuzet.render.jpeg import decode_jpeg, encode_jpeg

log = logging.getLogger(__name__)
PIXEL_CELLS = 12  # a pixelated image keeps this many cells across its longer side


def pixelate_jpeg(jpeg: bytes, cells: int = PIXEL_CELLS, quality: int = 80) -> bytes:
    """The image reduced to ``cells`` coarse blocks across (nothing in it is legible).

    Raises:
        ValueError: ``jpeg`` does not decode.

    Example:
        >>> safe = pixelate_jpeg(crop_jpeg)  # doctest: +SKIP
    """
    image = decode_jpeg(jpeg)
    return encode_jpeg(pixelate(image, max(1, max(image.shape[:2]) // cells)), quality)


def redacted_scene(scene: PlateScene, redactor: Redactor, quality: int = 85) -> bytes:
    """``scene`` with the read plate, faces and other plates blurred.

    Args:
        scene: The hit's vehicle scene.
        redactor: Finds faces (whole image) and plates (inside the vehicle box).
        quality: JPEG quality of the copy.

    Returns:
        The redacted JPEG; the whole scene pixelated if the models fail.

    Raises:
        ValueError: The scene does not decode.
    """
    image = decode_jpeg(scene.jpeg)
    regions = Regions.of("plate", np.array([scene.plate_box], np.float32))
    vehicles = np.array([scene.vehicle_box], np.float32)
    try:
        regions = regions.merge(redactor.find(image, None, vehicles))
    except Exception:  # any model failure: nothing may stay legible (fail closed)
        log.exception("plate-hit scene: face/plate search failed; pixelating the scene")
        return pixelate_jpeg(scene.jpeg)
    return encode_jpeg(redactor.apply(image, regions), quality)
