"""The pipeline hands line counts out in PipelineOutput.counts; baselines get a state dir."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from factories import box_at, make_detections, make_frame, make_pipeline
from kuzet.config.cameras import CameraConfig
from kuzet.core.counts import Direction
from kuzet.core.types import Detections, FloatArray, Image
from kuzet.rules.baseline import baseline_path
from kuzet.runtime.messages import CountsMessage
from kuzet.runtime.pipeline import CameraPipeline


def _camera() -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "source": {"url": "x.mp4"},
            "detect": {"motion_gating": False},
            "lines": {"road": {"start": [0.0, 0.5], "end": [1.0, 0.5]}},
            "rules": [
                {"kind": "line_crossing", "id": "road", "line": "road", "classes": ["car"]},
                {"kind": "unusual_crowd", "id": "busy", "classes": ["car"], "threshold": 50},
            ],
        }
    )


def test_pipeline_outputs_counts_and_saves_baseline(tmp_path: Path) -> None:
    bottoms = iter(np.arange(150.0, 400.0, 10.0))

    def detect(image: Image, regions: FloatArray | None) -> Detections:
        return make_detections([box_at(320, next(bottoms), w=80, h=60)], classes="car")

    pipeline: CameraPipeline = make_pipeline(_camera(), detect, state_dir=tmp_path / "state")
    counts = []
    last = None
    for i in range(20):
        out = pipeline.process(make_frame(ts=i * 0.2, seq=i))
        counts += out.counts
        last = out.frame
    assert last is not None
    assert [(c.line, c.label, c.direction, c.n) for c in counts] == [
        ("road", "car", Direction.IN, 1)
    ]
    assert CountsMessage(tuple(counts)).counts[0].camera_id == "cam"
    pipeline.close(last.ts, last.wall)
    assert baseline_path(tmp_path / "state", "cam", None).is_file()
