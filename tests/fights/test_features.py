"""Fight features on small synthetic keypoint sequences (no models, no video)."""

from __future__ import annotations

import numpy as np
import pytest

from kuzet.core.types import Detections, Frame
from kuzet.fights.features import (
    EMBEDDING_NAMES,
    FEATURE_NAMES,
    FRAME_NAMES,
    MOTION_NAMES,
    FeatureExtractor,
    WindowSample,
    window_features,
)
from kuzet.fights.posefeat import POSE_NAMES, link, select_people

H = 480
# A standing person ~200 px tall, keypoints (x, y) relative to the box's top-left.
BODY = np.array([
    [50, 10], [45, 5], [55, 5], [40, 8], [60, 8], [30, 45], [70, 45], [25, 80], [75, 80],
    [25, 110], [75, 110], [38, 110], [62, 110], [38, 155], [62, 155], [38, 200], [62, 200],
], np.float32)


def _person(x: float, wrist_dx: float = 0.0) -> np.ndarray:
    kps = np.concatenate([BODY, np.ones((17, 1), np.float32)], axis=1).copy()
    kps[:, 0] += x
    kps[10, 0] += wrist_dx  # right wrist
    return kps


def _poses(people: list[np.ndarray]) -> Detections:
    kps = np.stack(people).astype(np.float32)
    boxes = np.stack([[p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()]
                      for p in people]).astype(np.float32)
    return Detections(xyxy=boxes, score=np.full(len(people), 0.8, np.float32),
                      class_id=np.zeros(len(people), np.int64), attrs={"keypoints": kps},
                      class_names=("person",))


def _run(sequence: list[list[np.ndarray]]) -> WindowSample:
    extractor = FeatureExtractor(fps=10, window_s=1.0, stride_s=0.2)
    image = np.zeros((H, 640, 3), np.uint8)
    last = None
    for k, people in enumerate(sequence):
        sample = extractor.update(Frame("cam", k, k * 0.1, 1000 + k * 0.1, image), _poses(people))
        last = sample or last
    assert last is not None, "no window after 1.2 s of frames"
    return last


def _feature(sample: WindowSample, name: str) -> float:
    return float(sample.features[FEATURE_NAMES.index(name)])


def test_punch_toward_a_neighbour_beats_slow_walking() -> None:
    # Two people side by side; A's right wrist jabs 60 px toward B and back every frame.
    punch = [[_person(200, 60.0 * (k % 2)), _person(300)] for k in range(12)]
    # Two people 250 px apart walking briskly (20 px per frame = 1 height/s), arms still:
    # every speed is measured against the person's own torso, so walking barely counts.
    walk = [[_person(100 + 20 * k), _person(350 + 20 * k)] for k in range(12)]
    fight, calm = _run(punch), _run(walk)
    for name in ("arm_speed_max", "approach_max", "wrist_accel_max", "arm_speed_mean_mean"):
        assert _feature(fight, name) > 2 * _feature(calm, name) + 0.1, name
    assert _feature(fight, "min_dist_mean") < _feature(calm, "min_dist_mean")
    assert _feature(fight, "group_max") == 2 and _feature(calm, "group_max") == 1
    assert _feature(calm, "arm_speed_max") < 0.1
    assert fight.aggression, "the jab toward B should be reported as an aggression pair"
    assert len(fight.boxes) == 2


def test_windows_come_every_stride_once_full() -> None:
    extractor = FeatureExtractor(fps=10, window_s=1.0, stride_s=0.2)
    image = np.zeros((120, 160, 3), np.uint8)
    empty = Detections.empty(("person",))
    # Fed at 30 fps: the extractor keeps every third frame (by timestamp).
    out = [extractor.update(Frame("c", k, k / 30, k / 30, image), empty) for k in range(60)]
    times = [round(s.ts, 2) for s in out if s is not None]
    assert times[0] == pytest.approx(0.9, abs=0.05)
    assert np.diff(times) == pytest.approx(0.2, abs=0.05)
    assert all(s.frames == 10 for s in out if s is not None)
    extractor.reset()
    assert extractor.update(Frame("c", 0, 5.0, 5.0, image), empty) is None


def test_window_features_shape_and_nan_handling() -> None:
    rows = np.full((5, len(FRAME_NAMES)), np.nan, np.float32)
    rows[:, 0] = [0, 2, 3, 2, 1]
    out = window_features(rows)
    assert out.shape == (len(FEATURE_NAMES),) and np.isfinite(out).all()
    assert out[FEATURE_NAMES.index("group_max")] == 3
    assert out[FEATURE_NAMES.index("group_share")] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="expected rows of shape"):
        window_features(np.zeros((3, 4), np.float32))


def test_embedding_change_becomes_the_motion_columns() -> None:
    extractor = FeatureExtractor(fps=10, window_s=1.0, stride_s=0.2)
    image = np.zeros((H, 640, 3), np.uint8)
    dim = len(EMBEDDING_NAMES)
    first = len(FRAME_NAMES) - dim
    records, last = [], None
    for k in range(10):
        embedding = np.zeros(dim, np.float32)
        embedding[0] = 2.0 * (k % 2)  # channel 0 flips by 2 every frame
        embedding[1] = 0.5 * k  # channel 1 drifts by 0.5 a frame
        frame = Frame("cam", k, k * 0.1, 1000 + k * 0.1, image)
        record = extractor.frame_record(frame, _poses([_person(100)]), embedding)
        assert record is not None
        records.append(record)
        last = extractor.push(record) or last
    assert np.isnan(records[0].row[first:]).all()  # nothing to compare the first with
    assert records[5].row[first] == 2.0 and records[5].row[first + 1] == 0.5
    assert last is not None
    motion = last.features[len(FEATURE_NAMES) - len(MOTION_NAMES):]
    assert motion[0] == pytest.approx(np.log1p(2.0)) and motion[1] == pytest.approx(np.log1p(0.5))
    assert motion[2] == 0.0
    # Without an embedding the columns are unknown and the window reads no motion.
    plain = _run([[_person(100)]] * 12)
    assert not plain.features[len(FEATURE_NAMES) - len(MOTION_NAMES):].any()


def test_link_follows_people_by_centre() -> None:
    a = select_people(_poses([_person(100), _person(400)]), H)
    b = select_people(_poses([_person(405), _person(110)]), H)
    assert link(a, b).tolist() == [1, 0]
    far = select_people(_poses([_person(10), _person(600)]), H)
    assert link(a, select_people(_poses([_person(260)]), H)).tolist() == [-1]
    assert len(far) == 2 and len(POSE_NAMES) == 11
