"""Live redaction cost: tracker-only regions (before issue 14) vs fail-closed regions (now).

Usage::

    .venv/bin/python benchmarks/live_redaction.py [VIDEO ...] [--frames 60]

Runs the real camera pipeline (NanoDet, motion gating, ByteTrack) at 5 fps,
640 px wide, and for each frame makes the masked live JPEG a viewer without an
unmask grant gets, both ways: ``before`` finds faces/heads/plates in the boxes
the tracker reports (``live_regions``); ``now`` uses this frame's detections
plus the tracker's and pixelates uncovered motion (``frame_regions``). Times
cover render + regions + blur + JPEG encode (what the worker and supervisor do
per live frame). Also prints the pipeline's own cost per frame, the share of the
frame pixelated as uncovered motion, and frames blurred whole.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from kuzet.config.cameras import CameraConfig
from kuzet.detect import load_object_detector
from kuzet.ingest import VideoSource
from kuzet.privacy.redaction import Redactor
from kuzet.render.live import render_live
from kuzet.runtime.build import PipelineParts, build_pipeline
from kuzet.runtime.live_redaction import SharedRedaction, frame_regions, live_regions
from kuzet.runtime.messages import LiveFrame

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "video"
DEFAULTS = (SHARED / "vtest.avi", SHARED / "bridge_traffic_640x360.mp4")


def _ms(values: list[float]) -> str:
    p95 = sorted(values)[int(0.95 * (len(values) - 1))]
    return f"mean {statistics.mean(values):6.1f} ms  p95 {p95:6.1f} ms"


def bench(video: Path, frames: int) -> None:
    """Print the per-live-frame cost of both ways on ``frames`` frames of ``video``."""
    cam = CameraConfig.model_validate(
        {"source": {"url": str(video), "pace": "fast"}, "detect": {"fps": 5, "width": 640}}
    )
    pipeline = build_pipeline("bench", cam, load_object_detector(cam.detect.model, threads=1),
                              PipelineParts())
    redactor = Redactor()
    caches = {"before": SharedRedaction(), "now": SharedRedaction()}
    times: dict[str, list[float]] = {"pipeline": [], "before": [], "now": []}
    motion_share: list[float] = []
    whole = 0
    for frame in VideoSource("bench", cam.source, fps=5, width=640).frames():
        t0 = time.perf_counter()
        out = pipeline.process(frame)
        times["pipeline"].append((time.perf_counter() - t0) * 1000)
        for way, cache in caches.items():
            t0 = time.perf_counter()
            jpeg = render_live(frame.image, out.detections, pipeline.zones_abs, out.motion)
            if way == "before":
                regions = live_regions(redactor, frame.image, out.detections)
            else:
                regions = frame_regions(
                    redactor, frame.image, out.detections, out.fresh, out.motion)
                if regions is None:
                    whole += 1
                else:
                    boxes = regions.xyxy[[k == "motion" for k in regions.kinds]]
                    area = float(((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])).sum())
                    motion_share.append(area / float(frame.shape[0] * frame.shape[1]))
            cache.redacted("bench", LiveFrame("bench", frame.seq, jpeg, regions))
            times[way].append((time.perf_counter() - t0) * 1000)
        if len(times["now"]) >= frames:
            break
    print(f"{video.name}: {len(times['now'])} frames at 5 fps, 640 px")
    for way, values in times.items():
        print(f"  {way:9s} {_ms(values)}")
    share = float(np.mean(motion_share)) if motion_share else 0.0
    print(f"  uncovered motion pixelated: {share:.1%} of the frame on average; "
          f"frames blurred whole: {whole}")


def main() -> None:
    """Benchmark each video given (default: vtest.avi and the bridge traffic clip)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("videos", nargs="*", type=Path, default=list(DEFAULTS))
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    for video in args.videos:
        bench(video, args.frames)


if __name__ == "__main__":
    main()
