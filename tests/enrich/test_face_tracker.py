"""FaceTracker on person tracks (real CenterFace + dlib on a real face photo), face quality."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kuzet.config.faces import FacesConfig
from kuzet.core.types import Detections, Frame, Image
from kuzet.enrich.face.decision import aggregate
from kuzet.enrich.face.quality import face_quality, pose
from kuzet.enrich.face.tracker import FaceTracker

FACES = Path(__file__).resolve().parents[3] / "shared" / "data" / "faces" / \
    "face_recognition_examples"
PERSON_A = (200.0, 100.0, 360.0, 460.0)  # the photo fills the top 200 px of the box
PERSON_B = (420.0, 100.0, 580.0, 460.0)


@pytest.fixture(scope="module")
def photo() -> Image:
    path = FACES / "examples" / "obama.jpg"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    from kuzet.models.paths import find_model

    if find_model("centerface") is None:
        pytest.skip("centerface not installed (run `kuzet models install`)")
    image = cv2.imread(str(path))
    assert image is not None
    return np.asarray(cv2.resize(image, (160, 200), interpolation=cv2.INTER_AREA), np.uint8)


@pytest.fixture(scope="module")
def tracker_models(photo: Image) -> tuple[object, object]:
    """One detector and embedder for the module (loading dlib takes a while)."""
    probe = FaceTracker("cam", FacesConfig(enabled=True))
    return probe.detector, probe.embedder


def scene(photo: Image, blur: float = 0.0, second: bool = False) -> Image:
    canvas = np.full((480, 640, 3), 90, np.uint8)
    face = photo if blur <= 0 else cv2.GaussianBlur(photo, (0, 0), blur)
    canvas[100:300, 200:360] = face
    if second:
        canvas[100:300, 420:580] = cv2.flip(photo, 1)
    return canvas


def people(*boxes: tuple[float, float, float, float], ids: tuple[int, ...] = (1, 2)) -> Detections:
    n = len(boxes)
    return Detections(xyxy=np.asarray(boxes, np.float32), score=np.full(n, 0.9, np.float32),
                      class_id=np.zeros(n, np.int64), track_id=np.asarray(ids[:n], np.int64),
                      class_names=("person", "car"))


def frame(i: int, image: Image, dt: float = 0.5) -> Frame:
    return Frame("cam", i, i * dt, 1_700_000_000.0 + i * dt, image)


def make(photo: Image, models: tuple[object, object], **cfg: object) -> FaceTracker:
    detector, embedder = models
    config = FacesConfig.model_validate({"enabled": True, **cfg})
    return FaceTracker("cam", config, detector, embedder)  # type: ignore[arg-type]


def test_blurred_face_scores_lower(photo: Image, tracker_models: tuple[object, object]) -> None:
    tracker = make(photo, tracker_models)
    found = tracker.detector.detect(scene(photo))
    assert len(found) == 1
    box, lms = found.xyxy[0], found.attrs["landmarks"][0]
    sharp = face_quality(scene(photo), box, lms)
    blurred = face_quality(scene(photo, blur=3.0), box, lms)
    assert blurred.sharpness < sharp.sharpness
    assert blurred.score < sharp.score
    assert sharp.pose > 0.7 and sharp.size > 0.5


def test_pose_symmetry() -> None:
    frontal = np.array([[30, 40], [70, 40], [50, 60], [35, 80], [65, 80]], np.float32)
    turned = frontal.copy()
    turned[2, 0] = 68  # nose over the right eye: the head is turned
    assert pose(frontal) > 0.8
    assert pose(turned) < 0.3


def test_budget_embeds_only_the_best_looks_into_one_decision(
    photo: Image, tracker_models: tuple[object, object]
) -> None:
    # Six looks, sharper every time; no face is good enough for an early probe.
    # The track's decision embeds only its two best (sharpest) faces and sends one
    # combined probe when its looks run out; nothing more is looked at.
    tracker = make(photo, tracker_models, per_track=2, max_looks=6, early_quality=1.0,
                   min_quality=0.1)  # fmt: skip
    probes = []
    for i, blur in enumerate([2.5, 1.5, 0.8, 0.0, 1.2, 2.0]):
        probes += tracker.update(frame(i, scene(photo, blur)), people(PERSON_A))
    assert tracker.stats.faces == 6 and tracker.stats.embeds == 2
    (p,) = probes
    assert (p.final, p.looks, p.track_id, p.camera_id) == (True, 2, 1, "cam")
    assert p.quality > 0.75  # the sharpest face's quality goes with the decision
    assert p.embedding.shape == (128,) and p.embedding.dtype == np.float32
    assert p.crop_jpeg[:2] == b"\xff\xd8"
    assert PERSON_A[0] <= p.box[0] < p.box[2] <= PERSON_A[2]
    tracker.update(frame(7, scene(photo)), people(PERSON_A))
    assert tracker.stats.looks == 6  # decided: no more looks
    assert tracker.finish(1) is None and tracker.tracked == 0


def test_a_very_good_face_goes_early_then_the_track_decides_at_its_end(
    photo: Image, tracker_models: tuple[object, object]
) -> None:
    tracker = make(photo, tracker_models, per_track=3, early_quality=0.75, min_quality=0.1)
    probes = []
    for i, blur in enumerate([0.0, 2.5, 0.8, 0.0]):
        probes += tracker.update(frame(i, scene(photo, blur)), people(PERSON_A))
    (early,) = probes
    assert (early.final, early.looks) == (False, 1)
    final = tracker.finish(1)
    assert final is not None and (final.final, final.looks) == (True, 3)
    assert tracker.stats.embeds == 3  # the budget; the blurriest look was never embedded
    assert float(np.linalg.norm(final.embedding - early.embedding)) < 0.3  # same face
    assert tracker.tracked == 0


def test_one_decision_per_track(photo: Image, tracker_models: tuple[object, object]) -> None:
    tracker = make(photo, tracker_models, per_track=2, early_quality=1.0)
    probes = []
    for i in range(3):
        probes += tracker.update(frame(i, scene(photo, second=True)), people(PERSON_A, PERSON_B))
    assert probes == [] and tracker.stats.embeds == 0  # nothing decided yet, nothing embedded
    probes = tracker.finish_all()
    assert sorted((p.track_id, p.looks) for p in probes) == [(1, 2), (2, 2)]
    first, second = sorted(probes, key=lambda p: p.track_id)
    assert float(np.linalg.norm(first.embedding - second.embedding)) < 0.6  # same person
    assert tracker.tracked == 0


def test_aggregate_weights_by_quality_and_keeps_the_length() -> None:
    a, b = np.array([3.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)
    combined = aggregate([(a, 3.0), (b, 1.0)])
    assert float(np.linalg.norm(combined)) == pytest.approx(2.0)  # mean length of a and b
    assert combined[0] > combined[1] * 8  # the better face dominates
    with pytest.raises(ValueError, match="at least one"):
        aggregate([])


def test_every_s_and_non_person_tracks(photo: Image, tracker_models: tuple[object, object]) -> None:
    tracker = make(photo, tracker_models, every_s=1.0)
    cars = people(PERSON_A).with_columns(class_id=np.ones(1, np.int64))
    for i in range(4):
        assert tracker.update(frame(i, scene(photo), dt=0.25), cars) == []
    assert tracker.stats.looks == 0
    for i in range(4):  # 0.25 s apart: one look in 1 s
        tracker.update(frame(i, scene(photo), dt=0.25), people(PERSON_A))
    assert tracker.stats.looks == 1


def test_small_person_or_no_face(photo: Image, tracker_models: tuple[object, object]) -> None:
    tracker = make(photo, tracker_models)
    empty = np.full((480, 640, 3), 90, np.uint8)
    assert tracker.update(frame(0, empty), people(PERSON_A)) == []
    assert tracker.stats.looks == 1 and tracker.stats.faces == 0
    tiny = people((10.0, 10.0, 20.0, 40.0), ids=(5,))
    assert tracker.update(frame(1, scene(photo)), tiny) == []
    assert tracker.stats.looks == 1
