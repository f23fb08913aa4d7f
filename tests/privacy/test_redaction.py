"""Redaction: blurring mechanics, real faces, plates geometry, shared live redaction."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from kuzet.config.privacy import PrivacyConfig
from kuzet.core.types import Detections, Image
from kuzet.enrich.plate.finder import plate_filter
from kuzet.models import find_model
from kuzet.privacy.redaction import Redactor, Regions, blur_regions, head_regions
from kuzet.render.jpeg import decode_jpeg, encode_jpeg
from kuzet.runtime.live_redaction import SharedRedaction, blur_whole, people_and_vehicles
from kuzet.runtime.messages import LiveFrame

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
EXAMPLES = FACES / "face_recognition_examples"
needs_faces = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason="../shared/data/faces is absent (evaluation data)"
)
needs_model = pytest.mark.skipif(
    find_model("centerface") is None, reason="centerface not installed (kuzet models install)"
)


def textured(h: int = 120, w: int = 160, seed: int = 0) -> Image:
    """A high-detail image: blurring it must change it a lot."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def striped(h: int = 120, w: int = 160) -> Image:
    """Fine stripes that survive JPEG but not blurring."""
    x = np.arange(w)[None, :].repeat(h, 0)
    value = (127 + 100 * np.sin(x / 1.5)).astype(np.uint8)
    return np.ascontiguousarray(np.stack([value] * 3, axis=2))


def diff(a: Image, b: Image) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.mark.parametrize(
    ("box", "margin"), [((40, 30, 80, 70), 0.0), ((40, 30, 80, 70), 0.25), ((0, 0, 30, 20), 0.5)]
)
def test_blur_changes_only_the_enlarged_box(box: tuple[int, int, int, int], margin: float) -> None:
    image = textured()
    out = blur_regions(image, Regions.of("face", np.array([box], np.float32)), margin)
    x1, y1, x2, y2 = box
    assert diff(out[y1:y2, x1:x2], image[y1:y2, x1:x2]) > 40  # noise averaged away
    mx, my = int(np.ceil((x2 - x1) * margin)), int(np.ceil((y2 - y1) * margin))
    outside = np.ones(image.shape[:2], bool)
    outside[max(0, y1 - my) : y2 + my, max(0, x1 - mx) : x2 + mx] = False
    assert (out[outside] == image[outside]).all()
    assert (image == textured()).all()  # input untouched


def test_blur_is_coarse_enough_to_be_irreversible() -> None:
    out = blur_regions(textured(), Regions.of("face", np.array([[40, 30, 100, 90]])), 0.0)
    patch = out[30:90, 40:100].astype(np.float32)
    # What is left is a few smooth cells: tiny pixel-to-pixel variation.
    assert float(np.abs(np.diff(patch, axis=1)).mean()) < 6


def test_regions_validate_and_merge() -> None:
    a = Regions.of("face", np.array([[0, 0, 10, 10]]))
    b = Regions.of("plate", np.zeros((0, 4)))
    merged = a.merge(b).merge(Regions.of("head", head_regions(np.array([[0, 0, 10, 100]]), 0.2)))
    assert merged.kinds == ("face", "head")
    assert merged.xyxy[1].tolist() == [0, 0, 10, 20]
    assert merged.scaled(2, 0.5).xyxy[0].tolist() == [0, 0, 20, 5]
    with pytest.raises(ValueError, match="N kinds"):
        Regions(np.zeros((2, 4), np.float32), ("face",))


def test_people_get_head_regions_without_any_model() -> None:
    redactor = Redactor(PrivacyConfig(redact_faces=False, redact_plates=False))
    people = np.array([[10, 10, 30, 110], [50, 0, 70, 50]], np.float32)
    regions = redactor.find(textured(), people)
    assert regions.kinds == ("head", "head")
    assert regions.xyxy[:, 3].tolist() == pytest.approx([10 + 0.22 * 100, 0.22 * 50])


@pytest.mark.parametrize(
    ("box", "kept"),
    [
        ((40, 70, 70, 80), True),  # 30x10, lower part: a plate
        ((40, 10, 70, 20), False),  # upper third (windscreen sticker, roof sign)
        ((40, 70, 45, 80), False),  # too narrow / tall
        ((5, 60, 95, 70), False),  # wider than a plate on this vehicle
        ((40, 60, 50, 95), False),  # vertical text
    ],
)
def test_plate_geometry(box: tuple[int, int, int, int], kept: bool) -> None:
    out = plate_filter(np.array([box], np.float32), np.array([0, 0, 100, 100], np.float32))
    assert len(out) == int(kept)


@needs_faces
@needs_model
@pytest.mark.parametrize("name", ["examples/obama.jpg", "examples/two_people.jpg"])
def test_real_faces_are_found_and_blurred(name: str) -> None:
    rows = list(csv.DictReader((EXAMPLES / "identities.csv").open()))
    expected = {r["file"]: len(r["identity"].split("+")) for r in rows}.get(name, 2)
    image = cv2.imread(str(EXAMPLES / name))
    assert image is not None
    redacted, regions = Redactor().redact(image)
    assert regions.count("face") >= expected
    for x1, y1, x2, y2 in regions.xyxy.astype(int):
        assert diff(redacted[y1:y2, x1:x2], image[y1:y2, x1:x2]) > 8
    # Far from every face, the image is untouched.
    assert (redacted[-5:, :5] == image[-5:, :5]).all()
    # No face is found again in the redacted image.
    assert Redactor().find(redacted).count("face") == 0


@needs_faces
@needs_model
def test_redact_jpeg_finds_faces_in_person_boxes() -> None:
    image = cv2.imread(str(EXAMPLES / "examples/obama.jpg"))
    assert image is not None
    h, w = image.shape[:2]
    jpeg = encode_jpeg(image, 90)
    out = decode_jpeg(Redactor().redact_jpeg(jpeg, np.array([[0, 0, w, h]], np.float32)))
    face = Redactor().find(image).xyxy[0].astype(int)
    x1, y1, x2, y2 = face
    assert diff(out[y1:y2, x1:x2], image[y1:y2, x1:x2]) > 8


def test_shared_redaction_renders_once_per_seq() -> None:
    raw = encode_jpeg(striped(), 90)
    box = Regions.of("face", np.array([[40, 30, 80, 70]], np.float32))
    cache = SharedRedaction(margin=0.0)
    first = cache.redacted("gate", LiveFrame("gate", 1, raw, box))
    assert cache.redacted("gate", LiveFrame("gate", 1, raw, box)) is first
    assert cache.renders == 1
    cache.redacted("gate", LiveFrame("gate", 2, raw, box))
    assert cache.renders == 2
    a, b = decode_jpeg(first), decode_jpeg(raw)
    assert diff(a[30:70, 40:80], b[30:70, 40:80]) > 30
    assert diff(a[80:, :30], b[80:, :30]) < 8  # re-encoding noise only


def test_unknown_regions_fail_closed() -> None:
    raw = encode_jpeg(textured(), 90)
    out = SharedRedaction().redacted("gate", LiveFrame("gate", 1, raw, None))
    assert diff(decode_jpeg(out), decode_jpeg(raw)) > 40
    assert decode_jpeg(blur_whole(raw)).shape == decode_jpeg(raw).shape


def test_people_and_vehicles_split_by_label() -> None:
    dets = Detections(
        xyxy=np.array([[0, 0, 1, 1], [1, 1, 2, 2], [2, 2, 3, 3]], np.float32),
        score=np.ones(3, np.float32),
        class_id=np.array([0, 2, 1], np.int64),
        class_names=("person", "bicycle", "car"),
    )
    people, vehicles = people_and_vehicles(dets)
    assert people.tolist() == [[0, 0, 1, 1]]
    assert vehicles.tolist() == [[1, 1, 2, 2]]
