"""Per-track plate reading: attempt pacing, class filter, final reads, state freed."""

from __future__ import annotations

import numpy as np
import pytest

from factories import make_detections, make_frame
from kuzet.config.plates import PlatesConfig
from kuzet.core.sightings import PlateRead
from kuzet.core.types import FloatArray, Image
from kuzet.enrich.plate.reader import PlateCandidate
from kuzet.enrich.plate.tracks import TrackPlates


class FixedReader:
    def __init__(
        self, text: str = "123ABC01", score: float = 0.9, probs: tuple[float, ...] = ()
    ) -> None:
        self.text, self.score, self.probs, self.calls = text, score, probs, 0

    def read_vehicle(self, image: Image, vehicle: FloatArray) -> PlateCandidate:
        self.calls += 1
        box = (float(vehicle[0]), float(vehicle[3]) - 20, float(vehicle[0]) + 80, float(vehicle[3]))
        crop = np.full((20, 80, 3), 128, np.uint8)
        return PlateCandidate(
            self.text, self.text, "KZ", self.score, self.score, 1.0, box, crop, 3.0,
            "KZ current", self.probs,
        )  # fmt: skip


def _plates(reader: FixedReader, **cfg: object) -> TrackPlates:
    return TrackPlates("cam", PlatesConfig.model_validate({"enabled": True, **cfg}), reader)


def test_attempts_paced_by_every_s_and_capped() -> None:
    reader = FixedReader()
    plates = _plates(reader, every_s=1.0, max_attempts=2)
    dets = make_detections([[0, 0, 300, 200]], classes="car", track_ids=[1])
    for i in range(10):  # 0.0 .. 0.9 s: one attempt
        plates.update(make_frame(ts=i * 0.1), dets, ())
    assert reader.calls == 1
    for i in range(10, 40):
        plates.update(make_frame(ts=i * 0.1), dets, ())
    assert reader.calls == 2  # capped
    assert plates.stats.attempts == 2 and plates.stats.ms_per_attempt == 3.0


def test_only_configured_classes_and_wide_enough_boxes() -> None:
    reader = FixedReader()
    plates = _plates(reader, classes=["bus"], min_plate_px=40)
    dets = make_detections(
        [[0, 0, 300, 200], [0, 0, 70, 60], [0, 0, 300, 200]],
        classes=["car", "bus", "person"],
        track_ids=[1, 2, 3],
    )
    plates.update(make_frame(ts=0.0), dets, ())
    assert reader.calls == 0  # car and person not configured; the bus is too narrow


def test_final_read_on_track_end_and_state_freed() -> None:
    plates = _plates(FixedReader())
    dets = make_detections([[0, 0, 300, 200]], classes="truck", track_ids=[7])
    plates.update(make_frame(ts=0.0), dets, ())
    assert plates.open_tracks == 1
    reads = plates.update(make_frame(ts=0.1), make_detections([], classes="car"), (7,))
    assert [(r.track_id, r.text, r.final, r.vehicle_class) for r in reads] == [
        (7, "123ABC01", True, "truck")
    ]
    assert (reads[0].country, reads[0].plate_format) == ("KZ", "KZ current")
    assert plates.open_tracks == 0
    assert plates.finish(7) is None  # already gone


def test_low_confidence_votes_are_dropped() -> None:
    plates = _plates(FixedReader(score=0.3), min_confidence=0.5)
    dets = make_detections([[0, 0, 300, 200]], classes="car", track_ids=[1])
    plates.update(make_frame(ts=0.0), dets, ())
    assert plates.finish_all() == [] and plates.open_tracks == 0


def _track_reads(plates: TrackPlates, frames: int) -> list[PlateRead]:
    dets = make_detections([[0, 0, 300, 200]], classes="car", track_ids=[1])
    reads = []
    for i in range(frames):
        reads += plates.update(make_frame(ts=i * 0.5), dets, ())
    return reads + plates.finish_all()


@pytest.mark.parametrize(
    ("score", "probs", "early_after"),
    [
        (0.95, (0.99,) * 8, 1),  # one confident read decides early
        (0.95, (0.99,) * 7 + (0.6,), 3),  # an unsure character: wait for a stable vote
        (0.85, (0.99,) * 8, 3),  # below early_confidence: wait for a stable vote
    ],
)
def test_early_read_from_one_confident_read_else_from_a_stable_vote(
    score: float, probs: tuple[float, ...], early_after: int
) -> None:
    reader = FixedReader(score=score, probs=probs)
    plates = _plates(reader, early_confidence=0.9)
    dets = make_detections([[0, 0, 300, 200]], classes="car", track_ids=[1])
    sent_at = None
    for i in range(5):
        if plates.update(make_frame(ts=i * 0.5), dets, ()) and sent_at is None:
            sent_at = reader.calls
    assert sent_at == early_after


def test_one_decision_per_track_early_and_final_share_it() -> None:
    reader = FixedReader(score=0.95, probs=(0.99,) * 8)
    reads = _track_reads(_plates(reader, early_confidence=0.9), 8)
    early, final = reads
    assert (early.final, final.final) == (False, True)
    assert early.decision_id is not None and early.decision_id == final.decision_id
    assert (early.looks, final.looks) == (1, 3)  # the vote went on until stable
    assert reader.calls == 3  # then attempts stopped
