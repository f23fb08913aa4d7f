"""Real face data for tests: where it is, and the pipeline's hand-off for a photo.

Import as ``from face_probes import FACE_DATA, probe_of``; the ``enroller``
fixture (tests/conftest.py) loads the real models once per session.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from kuzet.core.sightings import FaceProbe

FACE_DATA = (Path(__file__).resolve().parents[1].parent
             / "shared/data/faces/face_recognition_examples")


def probe_of(enroller: Any, path: Path, track: int, camera: str = "gate") -> FaceProbe:
    """The pipeline's hand-off for the largest face of an image: detect -> embed -> FaceProbe."""
    import cv2

    from kuzet.identity.enrol import decode_photo

    image = decode_photo(path.read_bytes())
    detector, embedder = enroller._models()
    faces = detector.detect(image)
    assert len(faces.xyxy), f"no face detected in {path}"
    areas = (faces.xyxy[:, 2] - faces.xyxy[:, 0]) * (faces.xyxy[:, 3] - faces.xyxy[:, 1])
    box = faces.xyxy[int(np.argmax(areas))]
    x1, y1, x2, y2 = (int(v) for v in box)
    crop = cv2.imencode(".jpg", image[max(y1, 0):y2, max(x1, 0):x2])[1].tobytes()
    embedding = embedder.embed(image, box[None])[0]
    return FaceProbe(camera, track, ts=float(track), wall=time.time(), embedding=embedding,
                     quality=0.9, box=(float(x1), float(y1), float(x2), float(y2)),
                     crop_jpeg=crop)
