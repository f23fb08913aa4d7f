"""Cost of face capture in the camera pipeline: per analysed frame and per probe.

Runs a video through ``CameraPipeline`` (NanoDet, tracking) twice, with the
camera's ``faces`` section off and on, and prints the face stage's own time
(CenterFace looks in person boxes, quality, dlib embedding, crop JPEG) per
frame, per look and per probe, plus the whole pipeline's time per frame.

Usage:
    .venv/bin/python benchmarks/face_pipeline.py VIDEO [--fps 5] [--width 640] [--seconds 60]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kuzet.config.cameras import CameraConfig
from kuzet.detect import load_object_detector
from kuzet.ingest.source import VideoSource
from kuzet.runtime.build import build_pipeline
from kuzet.runtime.pipeline import CameraPipeline


def run(video: Path, faces: bool, args: argparse.Namespace) -> tuple[CameraPipeline, float, int]:
    """The pipeline after the run, wall seconds, frames."""
    cam = CameraConfig.model_validate({
        "source": {"url": str(video), "pace": "fast"},
        "detect": {"fps": args.fps, "width": args.width},
        "faces": {"enabled": faces},
    })
    detector = load_object_detector(cam.detect.model, threads=2)
    pipeline = build_pipeline("bench", cam, detector)
    frames, start, probes = 0, time.perf_counter(), 0
    for frame in VideoSource("bench", cam.source, fps=args.fps, width=args.width).frames():
        if frame.ts > args.seconds:
            break
        probes += len(pipeline.process(frame).face_probes)
        frames += 1
    return pipeline, time.perf_counter() - start, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    _, off_s, frames = run(args.video, False, args)
    print(f"faces off: {frames} frames, {1000 * off_s / max(frames, 1):.1f} ms/frame")
    pipeline, on_s, frames = run(args.video, True, args)
    st = pipeline.faces.stats if pipeline.faces is not None else None
    if st is None:
        return
    print(f"faces on:  {frames} frames, {1000 * on_s / max(frames, 1):.1f} ms/frame")
    print(f"face stage: {1000 * st.total_s / max(st.frames, 1):.2f} ms/frame on average; "
          f"{st.looks} looks ({1000 * st.detect_s / max(st.looks, 1):.1f} ms each), "
          f"{st.faces} faces found, {st.probes} probes "
          f"({1000 * st.embed_s / max(st.probes, 1):.1f} ms embedding each; "
          f"{1000 * st.total_s / max(st.probes, 1):.1f} ms face-stage time per probe)")


if __name__ == "__main__":
    main()
