"""A second tracker written only against the ``Tracker`` protocol runs in the pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from factories import box_at, make_detections, make_frame, make_pipeline
from kuzet.config.cameras import CameraConfig
from kuzet.config.tracking import TrackingConfig
from kuzet.core.counts import Direction
from kuzet.core.types import Detections, FloatArray, Image
from kuzet.track.base import Tracker, TrackResult, empty_boxes


class NearestTracker:
    """Ids by the nearest bottom-centre of the previous step; nothing else.

    Implements exactly the ``Tracker`` protocol (no ByteTrack internals) and
    records how the pipeline calls it.
    """

    def __init__(self, cfg: TrackingConfig, frame_shape: tuple[int, int]) -> None:
        self.frame_shape = frame_shape
        self._boxes: dict[int, FloatArray] = {}
        self._next_id = 1
        self.scanned: list[FloatArray | None] = []
        self.moving_reads = 0
        BUILT.append(self)

    @property
    def live_boxes(self) -> FloatArray:
        if not self._boxes:
            return empty_boxes()
        return np.stack(list(self._boxes.values())).astype(np.float32)

    @property
    def moving_boxes(self) -> FloatArray:
        self.moving_reads += 1
        return self.live_boxes

    def update(
        self, dets: Detections, ts: float, scanned: FloatArray | None = None
    ) -> TrackResult:
        self.scanned.append(scanned)
        ids, boxes = [], {}
        for box in dets.xyxy:
            near = [tid for tid, old in self._boxes.items() if abs(old[3] - box[3]) < 40]
            tid = near[0] if near else self._next_id
            self._next_id += 0 if near else 1
            ids.append(tid)
            boxes[tid] = box
        ended = tuple(tid for tid in self._boxes if tid not in boxes)
        self._boxes = boxes
        tracked = dets.with_columns(track_id=np.asarray(ids, np.int64))
        return TrackResult(tracked, np.zeros(len(dets), bool), ended, self.live_boxes)


BUILT: list[NearestTracker] = []


def _camera(motion_gating: bool) -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "source": {"url": "x.mp4"},
            "detect": {"motion_gating": motion_gating, "full_frame_interval": 2.0},
            "lines": {"road": {"start": [0.0, 0.5], "end": [1.0, 0.5]}},
            "rules": [
                {"kind": "line_crossing", "id": "road", "line": "road", "classes": ["car"],
                 "emit_events": True},
            ],
        }
    )


@pytest.mark.parametrize("motion_gating", [False, True])
def test_a_protocol_only_tracker_drives_the_rules(motion_gating: bool) -> None:
    # Nothing public beyond the protocol: whatever else the pipeline called would fail.
    def public(cls: type) -> set[str]:
        return {name for name in vars(cls) if not name.startswith("_")}

    assert public(NearestTracker) == public(Tracker) == {"live_boxes", "moving_boxes", "update"}
    BUILT.clear()
    bottoms = iter([*np.arange(150.0, 400.0, 10.0), *[None] * 10])

    def detect(image: Image, regions: FloatArray | None) -> Detections:
        bottom = next(bottoms)
        if bottom is None:  # the car has left
            return make_detections([], classes="car")
        return make_detections([box_at(320, bottom, w=80, h=60)], classes="car")

    pipeline = make_pipeline(_camera(motion_gating), detect, tracker=NearestTracker)
    events, counts = [], []
    for i in range(35):
        out = pipeline.process(make_frame(ts=i * 0.2, seq=i))
        events += out.events
        counts += out.counts
    (tracker,) = BUILT
    assert tracker.frame_shape == (480, 640)
    assert len(tracker.scanned) == pipeline.stats.analysed == 35
    assert [(c.label, c.direction, c.n) for c in counts] == [("car", Direction.IN, 1)]
    assert {e.track_ids for e in events} == {(1,)}
    if motion_gating:  # flat frames: between full passes only the tracks are scanned
        assert tracker.moving_reads > 0 and pipeline.stats.region_passes > 0
        assert any(s is not None and len(s) for s in tracker.scanned)
    else:
        assert all(s is None for s in tracker.scanned)
