"""The pipeline stores a redacted copy of each event snapshot, made from the frame's tracks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from factories import make_detections, make_pipeline
from kuzet.config.cameras import CameraConfig
from kuzet.config.privacy import PrivacyConfig
from kuzet.core.types import Detections, FloatArray, Frame, Image
from kuzet.privacy.redaction import Redactor
from kuzet.privacy.snapshots import redacted_key
from kuzet.render.jpeg import decode_jpeg
from kuzet.runtime.pipeline import CameraPipeline
from kuzet.store.media import MediaStore

PERSON = (280.0, 100.0, 360.0, 400.0)  # head region: top 22% -> y 100..166


def _camera() -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "source": {"url": "x.mp4"},
            "detect": {"motion_gating": False},
            "zones": {"all": {"points": [[0, 0], [1, 0], [1, 1], [0, 1]]}},
            "rules": [{"kind": "zone_presence", "id": "anyone", "zone": "all", "min_duration": 0}],
        }
    )


def _frame(i: int) -> Frame:
    image = np.random.default_rng(7).integers(0, 255, (480, 640, 3), np.uint8)
    return Frame(camera_id="cam", seq=i, ts=i * 0.2, wall=1_700_000_000.0 + i * 0.2, image=image)


def _run(media: MediaStore, redactor: Redactor | None) -> CameraPipeline:
    def detect(image: Image, regions: FloatArray | None) -> Detections:
        return make_detections([PERSON])

    pipeline: CameraPipeline = make_pipeline(_camera(), detect, media=media, redactor=redactor)
    for i in range(8):
        pipeline.process(_frame(i))
    return pipeline


def _keys(media: MediaStore) -> list[str]:
    return sorted(p.relative_to(media.root).as_posix() for p in media.root.rglob("*.jpg"))


def test_snapshot_gets_a_redacted_copy_blurred_in_the_head_region(tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    pipeline = _run(media, Redactor(PrivacyConfig(redact_faces=False)))
    raw_keys = [k for k in _keys(media) if k.startswith("snapshots/")]
    assert len(raw_keys) == 1 and pipeline.stats.events >= 1
    assert _keys(media) == sorted([*raw_keys, redacted_key(raw_keys[0])])
    raw = decode_jpeg(media.get(raw_keys[0])).astype(np.int16)
    safe = decode_jpeg(media.get(redacted_key(raw_keys[0]))).astype(np.int16)
    head = np.abs(raw[104:162, 290:350] - safe[104:162, 290:350]).mean()
    outside = np.abs(raw[250:, :200] - safe[250:, :200]).mean()
    assert head > 30, head
    assert outside < 1, outside
    assert pipeline.stats.redacted_snapshots == 1
    ms = pipeline.stats.redact_s * 1000
    print(f"redacted snapshot: {ms:.1f} ms (regions + blur, face search off)")


def test_face_search_runs_only_when_an_event_opens(tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    pipeline = _run(media, Redactor())
    # 8 frames, one opening event: the redactor ran once (models load on that frame).
    assert pipeline.stats.redacted_snapshots == 1
    assert len([k for k in _keys(media) if k.startswith("redacted/")]) == 1
    print(f"redacted snapshot with face search: {pipeline.stats.redact_s * 1000:.1f} ms")


def test_without_a_redactor_only_the_raw_snapshot_is_stored(tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    _run(media, None)
    assert [k.split("/")[0] for k in _keys(media)] == ["snapshots"]
