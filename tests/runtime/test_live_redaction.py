"""Live redaction fails closed: what enters the frame is hidden from its very first frame.

Issue 14, finding 2: only boxes the tracker already held were blurred, so a face
or plate that entered the frame stayed legible until the tracker confirmed it
(``min_hits`` frames). Here a real face photo appears at frame ``K``; the frame
a masked viewer is served for it must have the face blurred, whether the
detector finds the person on that frame, misses it, or drops the request. The
viewer with an unmask grant still gets the clear frame.

Real parts: the camera pipeline (motion, region planning, ByteTrack), the
CenterFace model, the blur and JPEG coding, the worker's ``live_frame`` and the
supervisor's ``SharedRedaction``. The object detector is a function that finds
the person exactly when the photo is in the image (or never, or drops).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from factories import make_detections, make_pipeline
from kuzet.config.cameras import CameraConfig
from kuzet.core.types import Detections, FloatArray, Frame, Image
from kuzet.privacy.redaction import Redactor
from kuzet.render.jpeg import decode_jpeg
from kuzet.runtime.camera_worker import live_frame
from kuzet.runtime.live_redaction import SharedRedaction, uncovered_motion

PHOTO = Path(__file__).resolve().parents[3] / "shared" / "data" / "faces" / \
    "face_recognition_examples" / "examples" / "obama.jpg"
PERSON = (200.0, 100.0, 360.0, 460.0)
K = 4  # the photo appears at this frame


@pytest.fixture(scope="module")
def scene() -> tuple[Image, Image]:
    """The empty scene, and the same scene with a face photo in it."""
    if not PHOTO.is_file():
        pytest.skip(f"{PHOTO} not found")
    from kuzet.models.paths import find_model

    if find_model("centerface") is None:
        pytest.skip("centerface not installed (run `kuzet models install`)")
    photo = cv2.imread(str(PHOTO))
    assert photo is not None
    empty = np.full((480, 640, 3), 90, np.uint8)
    empty[400:, :] = 60  # some structure, so the frame is not flat
    with_face = empty.copy()
    with_face[100:300, 200:360] = cv2.resize(photo, (160, 200), interpolation=cv2.INTER_AREA)
    return empty, with_face


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


def _detector(mode: str) -> Any:
    def detect(img: Image, regions: FloatArray | None) -> Detections | None:
        present = float(img[100:300, 200:360].std()) > 10.0
        if mode == "drops" and present:
            return None
        if mode == "finds" and present:
            return make_detections([PERSON])  # type: ignore[no-any-return]
        return make_detections([])  # type: ignore[no-any-return]
    return detect


def _detail(image: Image, box: FloatArray) -> float:
    x1, y1, x2, y2 = (int(v) for v in box)
    patch = image[y1:y2, x1:x2].astype(np.float32)
    # Pixel-to-pixel variation: what is left of a blurred face is a few smooth cells.
    return float(np.abs(np.diff(patch, axis=1)).mean() + np.abs(np.diff(patch, axis=0)).mean())


def _served(scene: tuple[Image, Image], redactor: Redactor, mode: str) -> tuple[bytes, bytes]:
    """(masked JPEG, grant JPEG) of the first frame that shows the face."""
    empty, with_face = scene
    camera = CameraConfig.model_validate({"source": {"url": "x.mp4"}})
    pipeline = make_pipeline(camera, _detector(mode))
    cache = SharedRedaction(margin=redactor.config.margin)
    for i in range(K + 1):
        image = with_face if i >= K else empty
        frame = Frame("cam", i, i * 0.2, 1_700_000_000.0 + i * 0.2, image)
        result = pipeline.process(frame)
        live = live_frame("cam", frame, result, pipeline.zones_abs, redactor)
    return cache.redacted("cam", live), live.jpeg


@pytest.mark.parametrize("mode", ["finds", "misses", "drops"])
def test_a_face_entering_is_blurred_in_its_first_masked_frame(
    scene: tuple[Image, Image], redactor: Redactor, mode: str
) -> None:
    _empty, with_face = scene
    faces = redactor.find(with_face, np.array([PERSON], np.float32))
    face = faces.xyxy[[k == "face" for k in faces.kinds]]
    assert len(face) == 1, "the photo's face must be findable for this test to mean anything"
    original = _detail(with_face, face[0])
    masked, grant = _served(scene, redactor, mode)
    assert _detail(decode_jpeg(masked), face[0]) < 0.25 * original, f"face legible ({mode})"
    assert _detail(decode_jpeg(grant), face[0]) > 0.7 * original  # the grant view is clear


@pytest.mark.parametrize(
    ("motion", "covered", "expected"),
    [
        ([[0, 0, 64, 32]], [[0, 0, 32, 32]], [[32, 0, 64, 32]]),  # half covered
        ([[0, 0, 64, 32]], [[0, 0, 64, 32]], []),  # fully covered
        ([[5, 5, 20, 20]], [], [[0, 0, 32, 32]]),  # rounded out to whole cells
        ([[0, 0, 64, 64]], [[0, 0, 40, 40]], [[32, 0, 64, 32], [0, 32, 64, 64]]),
        ([[50, 50, 70, 70]], [[0, 0, 10, 10]], [[48, 48, 64, 64]]),  # clipped to the frame
    ],
)
def test_uncovered_motion_cells(
    motion: list[list[int]], covered: list[list[int]], expected: list[list[int]]
) -> None:
    from kuzet.core.types import Motion

    m = Motion(np.array(motion, np.float32).reshape(-1, 4), np.zeros((0, 4), np.float32))
    cov = np.array(covered, np.float32).reshape(-1, 4)
    assert uncovered_motion(m, cov, (64, 64)).tolist() == expected
