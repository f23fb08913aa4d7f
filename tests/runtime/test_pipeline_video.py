"""The camera pipeline on real video with the real detector (no fakes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import make_pipeline
from kuzet.config.root import KuzetConfig
from kuzet.core.types import EventKind, EventPhase, Frame
from kuzet.detect import load_object_detector
from kuzet.ingest import VideoSource
from kuzet.runtime.pipeline import CameraPipeline
from kuzet.store import MediaStore


def _config(video: Path, **detect: object) -> KuzetConfig:
    return KuzetConfig.model_validate(
        {
            "cameras": {
                "plaza": {
                    "source": {"url": str(video), "pace": "fast"},
                    "detect": {"fps": 5, "width": 640, **detect},
                    "zones": {
                        "centre": {"points": [[0.3, 0.35], [0.7, 0.35], [0.7, 0.85], [0.3, 0.85]]}
                    },
                    "rules": [
                        {
                            "id": "people_in_centre",
                            "kind": "zone_presence",
                            "zone": "centre",
                            "classes": ["person"],
                            "min_duration": 2,
                            "cooldown": 5,
                        }
                    ],
                }
            }
        }
    )


def _run(video: Path, tmp_path: Path, limit: int, **detect: object) -> tuple[CameraPipeline, list]:
    cam = _config(video, **detect).cameras["plaza"]
    detector = load_object_detector(cam.detect.model, threads=2)
    pipeline = make_pipeline(
        cam, detector, camera_id="plaza", media=MediaStore(tmp_path / "media")
    )
    events, people = [], []
    for frame in VideoSource(
        "plaza", cam.source, fps=cam.detect.fps, width=cam.detect.width
    ).frames():
        out = pipeline.process(frame)
        events.extend(out.events)
        people.append(int((out.detections.class_id == 0).sum()))
        if frame.seq >= limit:
            break
    return pipeline, events


@pytest.mark.models
def test_people_in_the_central_zone_raise_one_event_with_a_snapshot(
    sample_video: Path, nanodet_installed: Path, tmp_path: Path
) -> None:
    pipeline, events = _run(sample_video, tmp_path, limit=200)
    opened = [e for e in events if e.phase is EventPhase.OPEN]
    assert opened, f"no event in 20 s of vtest.avi; stats {pipeline.stats}"
    first = opened[0]
    assert first.kind is EventKind.ZONE_PRESENCE
    assert first.rule_id == "people_in_centre"
    assert first.track_ids and "person" in first.labels
    # the snapshot is a real JPEG at the object-store-style key
    key = first.evidence.snapshot_key
    assert key is not None and key.startswith("snapshots/plaza/")
    data = (tmp_path / "media" / key).read_bytes()
    assert data[:2] == b"\xff\xd8"
    # one situation is one event: updates and closes reuse the id, no second open meanwhile
    ids = {e.id for e in events}
    assert len(opened) <= len(ids)
    assert len({e.id for e in opened}) == len(opened)


@pytest.mark.models
def test_motion_gating_skips_detection_work(
    sample_video: Path, nanodet_installed: Path, tmp_path: Path
) -> None:
    gated, _ = _run(sample_video, tmp_path, limit=100)
    full, _ = _run(sample_video, tmp_path, limit=100, motion_gating=False)
    assert gated.stats.frames == full.stats.frames
    assert full.stats.full_frame_passes == full.stats.frames
    # with gating some frames are scanned only in motion/track regions
    assert gated.stats.full_frame_passes < full.stats.full_frame_passes
    assert gated.stats.region_passes > 0


@pytest.mark.models
def test_still_scene_gets_only_periodic_full_frame_passes(
    sample_video: Path, nanodet_installed: Path, tmp_path: Path
) -> None:
    cam = _config(sample_video).cameras["plaza"]
    detector = load_object_detector(cam.detect.model, threads=2)
    pipeline = make_pipeline(cam, detector, camera_id="plaza")
    still = next(iter(VideoSource("plaza", cam.source, fps=5, width=640).frames()))
    people = []
    for i in range(100):  # 20 s of the same image at 5 frames/s
        out = pipeline.process(Frame("plaza", i, i * 0.2, 1e9 + i * 0.2, still.image))
        people.append(int((out.detections.class_id == 0).sum()))
        if i == 49:
            settled = vars(pipeline.stats).copy()
    # once the tracks are known to be stationary (5 s), nothing moves and the whole
    # frame is scanned only every full_frame_interval (2 s) ...
    full_passes = pipeline.stats.full_frame_passes - settled["full_frame_passes"]
    region_passes = pipeline.stats.region_passes - settled["region_passes"]
    assert full_passes <= 6 and region_passes == 0
    # ... while the people stay tracked (they coast between scans)
    assert people[50] >= 3 and set(people[50:]) == {people[50]}
