"""Face probes leave the pipeline only when the camera's ``faces`` section enables them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from factories import make_detections, make_pipeline
from kuzet.config.cameras import CameraConfig
from kuzet.core.types import Detections, FloatArray, Frame, Image
from kuzet.runtime.pipeline import CameraPipeline

PHOTO = Path(__file__).resolve().parents[3] / "shared" / "data" / "faces" / \
    "face_recognition_examples" / "examples" / "obama.jpg"
PERSON = (200.0, 100.0, 360.0, 460.0)


@pytest.fixture(scope="module")
def image() -> Image:
    if not PHOTO.is_file():
        pytest.skip(f"{PHOTO} not found")
    from kuzet.models.paths import find_model

    if find_model("centerface") is None:
        pytest.skip("centerface not installed (run `kuzet models install`)")
    photo = cv2.imread(str(PHOTO))
    assert photo is not None
    canvas = np.full((480, 640, 3), 90, np.uint8)
    canvas[100:300, 200:360] = cv2.resize(photo, (160, 200), interpolation=cv2.INTER_AREA)
    return canvas


def _run(image: Image, faces: dict[str, object] | None) -> tuple[CameraPipeline, list[object]]:
    raw: dict[str, object] = {"source": {"url": "x.mp4"}, "detect": {"motion_gating": False}}
    if faces is not None:
        raw["faces"] = faces

    def detect(img: Image, regions: FloatArray | None) -> Detections:
        dets: Detections = make_detections([PERSON])
        return dets

    pipeline = make_pipeline(CameraConfig.model_validate(raw), detect)
    probes: list[object] = []
    for i in range(10):
        out = pipeline.process(Frame("cam", i, i * 0.2, 1_700_000_000.0 + i * 0.2, image))
        probes += out.face_probes
    return pipeline, probes


def test_probes_only_when_enabled(image: Image) -> None:
    off, none = _run(image, None)
    assert none == [] and off.faces is None
    on, probes = _run(image, {"enabled": True, "every_s": 0.4, "per_track": 2})
    # one decision for the track (final), after at most one early probe of a good face
    finals = [p for p in probes if p.final]  # type: ignore[attr-defined]
    assert len(finals) == 1 and len(probes) <= 2
    # a still frame fills the per-track budget (2) with good faces: then no more looks
    assert on.faces is not None and on.faces.stats.looks == on.faces.stats.embeds == 2
    assert probes[0].camera_id == "cam"  # type: ignore[attr-defined]


def test_faces_config_defaults_off() -> None:
    cam = CameraConfig.model_validate({"source": {"url": "x.mp4"}})
    assert cam.faces.enabled is False and cam.faces.per_track == 2
    with pytest.raises(ValueError, match="per_track"):
        CameraConfig.model_validate({"source": {"url": "x.mp4"}, "faces": {"per_track": 0}})
