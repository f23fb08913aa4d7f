"""Plate reads leave the pipeline only when enabled: one final read per vehicle track."""

from __future__ import annotations

import numpy as np

from factories import make_detections, make_frame, make_pipeline
from kuzet.config.cameras import CameraConfig
from kuzet.core.sightings import PlateRead
from kuzet.core.types import Detections, FloatArray, Image
from kuzet.enrich.plate.reader import PlateCandidate
from kuzet.runtime.messages import PlateReadsMessage
from kuzet.runtime.pipeline import CameraPipeline

READS = ["123ABC01", "I23ABC01", "123ABC01", "123A8C01", "123ABC01"]


class ScriptedReader:
    """Returns a plate inside the vehicle box; noisy texts in turn."""

    def __init__(self) -> None:
        self.calls = 0

    def read_vehicle(self, image: Image, vehicle: FloatArray) -> PlateCandidate:
        text = READS[self.calls % len(READS)]
        self.calls += 1
        x1, y1, x2, y2 = (float(v) for v in vehicle)
        box = (x1 + 20, y2 - 30, x1 + 100, y2 - 10)
        crop = np.full((20, 80, 3), 200, np.uint8)
        return PlateCandidate(text, text, "KZ", 0.9, 0.9, 1.0, box, crop, 5.0)


def _camera(enabled: bool) -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "source": {"url": "x.mp4"},
            "detect": {"motion_gating": False},
            "tracking": {"max_lost": 0.5},
            "plates": {"enabled": enabled, "every_s": 0.2, "max_attempts": 5},
        }
    )


def _run(enabled: bool) -> tuple[list[PlateRead], ScriptedReader]:
    calls = [0]

    def detect(image: Image, regions: FloatArray | None) -> Detections:
        ts = calls[0] * 0.1
        calls[0] += 1
        if ts >= 3.0:  # the car has gone
            return make_detections([], classes="car")
        x = 50 + 40 * ts
        return make_detections(
            [[x, 200, x + 200, 350], [400, 50, 440, 150]], classes=["car", "person"]
        )

    reader = ScriptedReader()
    pipeline: CameraPipeline = make_pipeline(_camera(enabled), detect, plate_reader=reader)
    reads: list[PlateRead] = []
    for i in range(50):
        reads += pipeline.process(make_frame(ts=i * 0.1, seq=i)).plate_reads
    reads += pipeline.close_plates()
    return reads, reader


def test_no_reads_when_disabled() -> None:
    reads, reader = _run(enabled=False)
    assert reads == [] and reader.calls == 0


def test_one_final_read_per_vehicle_track() -> None:
    reads, reader = _run(enabled=True)
    finals = [r for r in reads if r.final]
    assert len(finals) == 1
    final = finals[0]
    assert (final.text, final.country, final.vehicle_class) == ("123ABC01", "KZ", "car")
    assert final.crop_jpeg.startswith(b"\xff\xd8")
    assert 0.5 <= final.confidence <= 1.0
    # The vote became stable before the track ended: one early read, then no more OCR.
    early = [r for r in reads if not r.final]
    assert len(early) <= 1 and reader.calls <= 5
    assert PlateReadsMessage(tuple(reads)).reads[-1].final
