"""ByteTracker: identity through crossings and gaps, score stages, time in seconds."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from factories import FRAME_SHAPE, box_at, make_detections
from kuzet.config.tracking import TrackingConfig
from kuzet.core.types import Detections
from kuzet.track import ByteTracker, TrackResult

SHAPE = (480, 640)


def _tracker(**cfg: float) -> ByteTracker:
    return ByteTracker(TrackingConfig(**cfg), SHAPE)  # type: ignore[arg-type]


def _ids_by_label(result: TrackResult) -> dict[str, int]:
    dets = result.detections
    assert dets.track_id is not None
    return {str(dets.attrs["who"][i]): int(dets.track_id[i]) for i in range(len(dets))}


def _jittered(n: int, step: float, seed: int = 0) -> list[float]:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.uniform(0.3 * step, 1.7 * step, n)).round(4).tolist()


@pytest.mark.parametrize(
    ("classes", "times", "hide_b_when_overlapping"),
    [
        (("person", "person"), [i * 0.1 for i in range(40)], False),
        (("person", "person"), _jittered(40, 0.1), False),
        (("person", "person"), [i * 0.1 for i in range(40)], True),
        (("person", "car"), [i * 0.1 for i in range(40)], False),
    ],
    ids=["10fps", "irregular-ts", "b-occluded-at-crossing", "person-and-car"],
)
def test_two_objects_crossing_paths_keep_their_ids(
    classes: tuple[str, str], times: list[float], hide_b_when_overlapping: bool
) -> None:
    tracker = _tracker(min_hits=2)
    seen: dict[str, set[int]] = {"a": set(), "b": set()}
    for ts in times:
        xa, xb = 100 + 100 * ts, 500 - 100 * ts  # cross at ts = 2 s
        rows = [("a", box_at(xa, 300), classes[0]), ("b", box_at(xb, 320), classes[1])]
        if hide_b_when_overlapping and abs(xa - xb) < 30:
            rows = rows[:1]
        dets = make_detections(
            [r[1] for r in rows],
            classes=[r[2] for r in rows],
            attrs={"who": np.array([r[0] for r in rows])},
        )
        for who, tid in _ids_by_label(tracker.update(dets, ts)).items():
            seen[who].add(tid)
    assert seen == {"a": {1}, "b": {2}}


@pytest.mark.parametrize(
    ("gap", "frames_during_gap", "same_id"),
    [
        (1.5, True, True),
        (1.5, False, True),
        (1.9, True, True),
        (2.5, True, False),
        (2.5, False, False),
    ],
)
def test_a_missed_detection_keeps_the_id_only_within_max_lost(
    gap: float, frames_during_gap: bool, same_id: bool
) -> None:
    tracker = _tracker(max_lost=2.0, min_hits=2)
    person = make_detections([box_at(200, 300)])
    ended: list[int] = []
    for ts in (0.0, 0.1, 0.2):
        assert not tracker.update(person, ts).ended
    last_seen = 0.2
    if frames_during_gap:
        for ts in np.arange(last_seen + 0.1, last_seen + gap - 1e-6, 0.1):
            ended.extend(tracker.update(make_detections(), float(ts)).ended)
    back = tracker.update(person, last_seen + gap)
    ended.extend(back.ended)
    back = tracker.update(person, last_seen + gap + 0.1)  # a new track needs min_hits
    assert back.detections.track_id is not None
    if same_id:
        assert back.detections.track_id.tolist() == [1] and ended == []
    else:
        assert back.detections.track_id.tolist() == [2] and ended == [1]


@pytest.mark.parametrize(
    ("scores", "expected_ids"),
    [
        # only low-score detections: never a track
        ([0.3] * 10, [[]] * 10),
        # confirmed by high scores, then carried by low scores for longer than max_lost
        ([0.9, 0.9] + [0.3] * 30, [[], [1]] + [[1]] * 30),
        # scores below low_score are ignored: the track is lost, then ends
        ([0.9, 0.9] + [0.1] * 30, [[], [1]] + [[]] * 30),
    ],
    ids=["low-only", "low-extends", "below-low-ignored"],
)
def test_low_score_detections_extend_but_never_start_tracks(
    scores: list[float], expected_ids: list[list[int]]
) -> None:
    tracker = _tracker(high_score=0.5, low_score=0.2, max_lost=2.0, min_hits=2)
    for i, score in enumerate(scores):
        result = tracker.update(make_detections([box_at(200 + i, 300)], scores=score), i * 0.1)
        assert result.detections.track_id is not None
        assert result.detections.track_id.tolist() == expected_ids[i], f"step {i}"
    if scores[0] < 0.5:
        assert len(tracker.live_boxes) == 0


def test_input_is_never_mutated_and_rows_keep_their_data() -> None:
    tracker = _tracker(min_hits=1)
    dets = make_detections(
        [box_at(100, 300), box_at(300, 300), box_at(500, 300)],
        classes=["person", "car", "person"],
        scores=[0.9, 0.8, 0.1],
        track_ids=[-5, -6, -7],
        attrs={"keypoints": np.arange(3 * 17 * 3, dtype=np.float32).reshape(3, 17, 3)},
    )
    before = copy.deepcopy(dets)
    out = tracker.update(dets, 0.0).detections
    for ts in (0.1, 0.2):
        out = tracker.update(dets, ts).detections
    for name in ("xyxy", "score", "class_id", "track_id"):
        np.testing.assert_array_equal(getattr(dets, name), getattr(before, name))
    np.testing.assert_array_equal(dets.attrs["keypoints"], before.attrs["keypoints"])
    # the score-0.1 row is dropped; the others keep boxes (not predictions), attrs, names
    assert out is not dets and out.track_id is not None
    assert out.track_id.tolist() == [1, 2]
    np.testing.assert_array_equal(out.xyxy, dets.xyxy[:2])
    np.testing.assert_array_equal(out.attrs["keypoints"], dets.attrs["keypoints"][:2])
    assert out.class_names == dets.class_names and out.labels == ["person", "car"]


@pytest.mark.parametrize(
    ("times", "moving_until", "expected"),
    [
        # irregular timestamps: still only once 5 s have passed, whatever the frame count
        ([0, 0.4, 2.9, 4.9, 5.0, 5.3, 9], None, [0, 0, 0, 0, 1, 1, 1]),
        ([0, 1, 2, 3, 4, 4.99, 6], None, [0, 0, 0, 0, 0, 0, 1]),
        ([0, 3, 6, 9, 12], None, [0, 0, 1, 1, 1]),
        # moves until 3 s (20 px/s), then stands: still from 8 s
        ([0, 1, 2, 3, 5, 7.9, 8.0, 9], 3.0, [0, 0, 0, 0, 0, 0, 1, 1]),
    ],
)
def test_stationary_flag_uses_seconds_not_frames(
    times: list[float], moving_until: float | None, expected: list[int]
) -> None:
    tracker = _tracker(stationary_after=5.0, stationary_radius=0.02, min_hits=1, max_lost=5)
    flags = []
    for ts in times:
        x = 200 + 20 * min(ts, moving_until if moving_until is not None else 0.0)
        jitter = 2.0 if int(ts * 10) % 2 else -2.0  # detector noise well inside the radius
        result = tracker.update(make_detections([box_at(x + jitter, 300)]), ts)
        assert len(result.stationary) == len(result.detections) == 1
        assert result.detections.track_id is not None
        assert result.detections.track_id.tolist() == [1]
        flags.append(int(result.stationary[0]))
    assert flags == expected


def test_a_walking_person_is_never_stationary() -> None:
    tracker = _tracker(stationary_after=2.0, min_hits=1)
    for i in range(60):
        result = tracker.update(make_detections([box_at(50 + 5 * i, 300)]), i * 0.2)
        assert not result.stationary.any()


@pytest.mark.parametrize("min_hits", [1, 2, 4])
def test_tracks_are_tentative_until_min_hits_and_ids_start_at_one(min_hits: int) -> None:
    for _ in range(2):  # a second tracker instance starts at 1 again
        tracker = _tracker(min_hits=min_hits)
        for i in range(6):
            ids = tracker.update(make_detections([box_at(100, 300)]), i * 0.1).detections
            assert ids.track_id is not None
            assert ids.track_id.tolist() == ([1] if i + 1 >= min_hits else [])


def test_unconfirmed_tracks_do_not_use_up_ids() -> None:
    tracker = _tracker(min_hits=2)
    tracker.update(make_detections([box_at(100, 300)]), 0.0)  # one-off false positive
    for i in range(1, 4):
        out = tracker.update(make_detections([box_at(400, 300)]), i * 0.1).detections
    assert out.track_id is not None and out.track_id.tolist() == [1]


def test_a_track_keeps_its_majority_class_and_never_takes_another_group() -> None:
    tracker = _tracker(min_hits=1)
    car = [100, 200, 260, 300]
    for i, label in enumerate(["car", "car", "truck", "car", "truck", "car"]):
        out = tracker.update(make_detections([car], classes=label), i * 0.1).detections
        assert out.track_id is not None
        assert out.track_id.tolist() == [1] and out.labels == ["car"]
    # a person on exactly the car's box is a different object
    out = tracker.update(make_detections([car], classes="person"), 0.6).detections
    assert out.track_id is not None and out.track_id.tolist() == [2]


@pytest.mark.parametrize(
    ("labels", "scores", "expected"),
    [
        # equal scores: the majority wins
        (["car", "truck", "truck"], [0.6, 0.6, 0.6], "truck"),
        # confident truck detections outweigh more numerous doubtful car ones
        (["truck", "car", "car", "truck", "car"], [0.9, 0.4, 0.4, 0.9, 0.4], "truck"),
        (["truck", "car", "car", "truck", "car"], [0.5, 0.6, 0.6, 0.5, 0.6], "car"),
        # a tie keeps the earliest class
        (["car", "truck"], [0.7, 0.7], "car"),
    ],
)
def test_class_is_the_confidence_weighted_vote(
    labels: list[str], scores: list[float], expected: str
) -> None:
    tracker = _tracker(min_hits=1, high_score=0.35)
    car = [100, 200, 260, 300]
    out = None
    for i, (label, score) in enumerate(zip(labels, scores, strict=True)):
        dets = make_detections([car], classes=label, scores=score)
        out = tracker.update(dets, i * 0.1).detections
    assert out is not None and out.labels == [expected]


def test_time_going_backwards_ends_every_track() -> None:
    tracker = _tracker(min_hits=1)
    tracker.update(make_detections([box_at(100, 300)]), 10.0)
    result = tracker.update(make_detections([box_at(100, 300)]), 0.5)
    assert result.ended == (1,)
    assert result.detections.track_id is not None
    assert result.detections.track_id.tolist() == [2]


def test_live_boxes_follow_the_motion_and_include_tentative_and_lost_tracks() -> None:
    tracker = _tracker(min_hits=3, max_lost=2.0)
    assert tracker.live_boxes.shape == (0, 4)
    for i in range(5):
        result = tracker.update(make_detections([box_at(100 + 10 * i, 300)]), i * 0.1)
    lost = tracker.update(make_detections([box_at(600, 100)]), 0.5)  # another, tentative
    assert len(lost.detections) == 0 and lost.live_boxes.shape == (2, 4)
    moved = (lost.live_boxes[:, 0] + lost.live_boxes[:, 2]) / 2
    assert moved.min() > 140  # the lost track was predicted forward, not frozen at 140
    np.testing.assert_array_equal(tracker.live_boxes, lost.live_boxes)
    assert result.live_boxes.dtype == np.float32


def test_empty_input_and_detections_without_class_names() -> None:
    tracker = _tracker(min_hits=1)
    assert len(tracker.update(Detections.empty(), 0.0).detections) == 0
    bare = Detections([[0, 0, 10, 10]], [0.9], [3])
    out = tracker.update(bare, 0.1).detections
    assert out.track_id is not None and out.track_id.tolist() == [1]


# -- motion gating: tracks outside the scanned regions coast -------------------

_PERSON = [[100, 100, 140, 200]]
_ELSEWHERE = np.array([[400, 0, 640, 240]], np.float32)  # does not contain the person


@pytest.mark.parametrize(
    ("scanned", "survives"),
    [
        (_ELSEWHERE, True),  # nobody looked for it: it coasts and keeps its id
        (None, False),  # the whole frame was scanned and it was not there: lost
        (np.zeros((0, 4), np.float32), True),  # nothing scanned at all
    ],
)
def test_unscanned_tracks_coast_instead_of_getting_lost(scanned, survives) -> None:
    tracker = ByteTracker(TrackingConfig(min_hits=1, max_lost=1.0), FRAME_SHAPE)
    first = tracker.update(make_detections(_PERSON), 0.0)
    (track_id,) = first.detections.track_id.tolist()
    for step in range(1, 16):  # 3 s without a detection
        result = tracker.update(make_detections([]), step * 0.2, scanned)
    assert (track_id in result.detections.track_id.tolist()) is survives
    if survives:  # reported where it was last seen
        np.testing.assert_allclose(result.detections.xyxy[0], _PERSON[0])
    # a later full-frame scan that finds it again keeps the same id
    again = tracker.update(make_detections(_PERSON), 3.2)
    assert (again.detections.track_id.tolist() == [track_id]) is survives


def test_stationary_tracks_leave_the_moving_boxes() -> None:
    tracker = ByteTracker(TrackingConfig(min_hits=1, stationary_after=1.0), FRAME_SHAPE)
    for step in range(8):
        tracker.update(make_detections(_PERSON), step * 0.2)
    assert len(tracker.live_boxes) == 1
    assert len(tracker.moving_boxes) == 0
