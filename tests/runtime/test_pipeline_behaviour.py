"""Pipeline wiring of the pose-based stage: rates, observation fields, evidence boxes.

Pose and the fight analyser are stand-ins here (the real ones run in
test_fights_video.py): they record what they were called with.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from factories import box_at, make_detections, make_frame, make_pipeline
from kuzet.config.cameras import CameraConfig
from kuzet.core.fight import FightWindow
from kuzet.core.types import Detections, EventKind, EventPhase, FloatArray, Frame, Image, Severity
from kuzet.enrich.pose.movenet import EMBEDDING_DIM, PoseFrame
from kuzet.runtime.pipeline import CameraPipeline
from kuzet.store.media import MediaStore

PEOPLE = [[100.0, 100.0, 160.0, 300.0], [150.0, 110.0, 210.0, 310.0]]


class FakeAnalyzer:
    """A window every 0.5 s: high scores from 2 s to 6 s, with 2 people."""

    fps = 10.0
    threshold = 0.6

    def __init__(self) -> None:
        self.seen: list[float] = []

    def update(
        self, frame: Frame, poses: Detections, embedding: FloatArray | None = None
    ) -> FightWindow | None:
        self.seen.append(frame.ts)
        if round(frame.ts * 10) % 5:
            return None
        score = 0.9 if 2.0 <= frame.ts < 6.0 else 0.1
        return FightWindow(frame.ts, frame.wall, score, len(poses), poses.xyxy)

    def reset(self) -> None:
        self.seen.clear()


def _poses(image: Image) -> PoseFrame:
    kps = np.zeros((2, 17, 3), np.float32)
    people = make_detections(PEOPLE, scores=0.8, attrs={"keypoints": kps},
                             class_names=("person",))
    return PoseFrame(people, np.zeros(EMBEDDING_DIM, np.float32))


def _pipeline(
    tmp_path: Path, analyzer: FakeAnalyzer | None = None, **sections: object
) -> tuple[CameraPipeline, list[float]]:
    cam = CameraConfig.model_validate(
        {"source": {"url": "x.mp4"}, "detect": {"fps": 5, "motion_gating": False}, **sections}
    )
    detected: list[float] = []

    def detect(image: Image, regions: FloatArray | None) -> Detections:
        detected.append(len(detected))
        return make_detections([box_at(320, 300)])

    pose = _poses if cam.fights.enabled or cam.smoking.enabled else None  # None: fails if called
    pipeline = make_pipeline(
        cam, detect, media=MediaStore(tmp_path), pose=pose, fight_analyzer=analyzer
    )
    return pipeline, detected


def test_pose_runs_every_frame_and_detection_at_detect_fps(tmp_path: Path) -> None:
    analyzer = FakeAnalyzer()
    pipeline, detected = _pipeline(
        tmp_path, analyzer, fights={"enabled": True, "close_after": 1.0}
    )
    events = []
    for i in range(100):  # 10 s at 10 fps, as the source delivers with fights on
        out = pipeline.process(make_frame(ts=i / 10, seq=i))
        events += out.events
        assert out.analysed == (i % 2 == 0)
        if i >= 4:  # tracks confirmed; frames between detections show the last ones
            assert len(out.detections) == 1
    assert len(analyzer.seen) == 100
    assert len(detected) == 50 and pipeline.stats.analysed == 50
    assert pipeline.behaviour.stats.frames == 100
    fights = [e for e in events if e.kind is EventKind.FIGHT]
    assert [str(e.phase) for e in fights if e.phase is not EventPhase.UPDATE] == ["open", "close"]
    opened = fights[0]
    assert opened.frame_ts == 3.0  # third window in a row at or above 0.6
    assert opened.severity is Severity.ALERT and opened.attrs["threshold"] == 0.6
    assert opened.attrs["boxes"] == PEOPLE and opened.evidence.snapshot_key is not None
    assert not [e for e in events if e.kind is EventKind.AGGRESSION]


def test_smoking_alone_gets_tracked_poses(tmp_path: Path) -> None:
    pipeline, detected = _pipeline(tmp_path, smoking={"enabled": True})
    for i in range(20):
        pipeline.process(make_frame(ts=i / 10, seq=i))
    assert len(detected) == 10 and pipeline.behaviour.stats.frames == 20
    assert pipeline.behaviour.stats.track_s > 0


def test_off_by_default_costs_nothing(tmp_path: Path) -> None:
    pipeline, detected = _pipeline(tmp_path)
    for i in range(10):
        pipeline.process(make_frame(ts=i / 5, seq=i))
    assert len(detected) == 10 and pipeline.behaviour.stats.frames == 0
