"""Annotated live frames: boxes with track ids, zones, motion regions."""

from __future__ import annotations

import cv2
import numpy as np

from kuzet.core.types import Detections, FloatArray, Image, Motion
from kuzet.render.jpeg import encode_jpeg

_BOX = (60, 220, 60)
_ZONE = (0, 200, 255)
_REGION = (200, 120, 0)


def render_live(
    image: Image,
    dets: Detections,
    zones: dict[str, FloatArray],
    motion: Motion | None = None,
    quality: int = 70,
) -> bytes:
    """Draw zones, detector regions and tracked boxes; return JPEG bytes."""
    canvas = image.copy()
    for name, poly in zones.items():
        pts = np.round(poly).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(canvas, [pts], True, _ZONE, 2)
        x, y = pts[0, 0]
        cv2.putText(
            canvas, name, (int(x) + 4, int(y) + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, _ZONE, 1
        )
    if motion is not None and not motion.full_frame:  # a full pass needs no outline
        for x1, y1, x2, y2 in np.round(motion.regions).astype(int):
            cv2.rectangle(canvas, (x1, y1), (x2, y2), _REGION, 1)
    labels = dets.labels
    for i in range(len(dets)):
        x1, y1, x2, y2 = (int(v) for v in np.round(dets.xyxy[i]))
        cv2.rectangle(canvas, (x1, y1), (x2, y2), _BOX, 2)
        tid = f"#{int(dets.track_id[i])} " if dets.track_id is not None else ""
        cv2.putText(
            canvas,
            f"{tid}{labels[i]}",
            (x1, max(12, y1 - 4)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.45,
            _BOX,
            1,
        )
    return encode_jpeg(canvas, quality)
