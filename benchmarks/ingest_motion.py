"""Ingest and motion benchmark: decode+scale throughput, motion+planning cost.

Usage::

    .venv/bin/python benchmarks/ingest_motion.py [VIDEO ...] [--width 640] [--repeat 3]

Defaults to vtest.avi (opencv-doc, or ../shared/data/video). For each video it
prints decode+scale throughput with fast pacing at the analysis rate (5 fps)
and at the full source rate, then the per-frame cost of motion detection and
region planning on the 5 fps frames (no live tracks).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from kuzet.config.cameras import SourceConfig
from kuzet.config.motion import MotionConfig
from kuzet.core.types import Frame
from kuzet.ingest import VideoSource
from kuzet.motion import MotionDetector, RegionPlanner

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = (
    Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi"),
    REPO.parent / "shared" / "data" / "video" / "vtest.avi",
)
FULL_RATE = 60.0  # above any source rate: every decoded frame is kept


def _source(video: Path, fps: float, width: int) -> VideoSource:
    return VideoSource("bench", SourceConfig(url=str(video), pace="fast"), fps, width)


def decode(video: Path, fps: float, width: int) -> tuple[int, int, float]:
    """Decode a whole video, dropping each frame as a pipeline would.

    Returns:
        Frames output, frames decoded, seconds taken.
    """
    out, last_seq = 0, -1
    started = time.perf_counter()
    for frame in _source(video, fps, width).frames():
        out, last_seq = out + 1, frame.seq
    return out, last_seq + 1, time.perf_counter() - started


def decode_row(video: Path, fps: float, width: int, repeat: int) -> tuple[str, ...]:
    """Best-of-``repeat`` decode throughput as a table row."""
    runs = [decode(video, fps, width) for _ in range(repeat)]
    out, decoded, best = min(runs, key=lambda r: r[2])
    label = "full" if fps >= FULL_RATE else f"{fps:g}"
    return (
        f"decode+scale fps={label}",
        f"{out} of {decoded} frames",
        f"{decoded / best:,.0f} decoded/s",
        f"{out / best:,.0f} out/s",
        f"{best * 1000 / max(out, 1):.2f} ms/out",
    )


def motion_row(frames: list[Frame], interval: float, repeat: int) -> tuple[str, ...]:
    """Motion detection + region planning cost per frame as a table row."""
    times: list[float] = []
    full = regions = boxes = 0
    no_tracks = np.zeros((0, 4), np.float32)
    for _ in range(repeat):
        detector = MotionDetector(MotionConfig(), frames[0].shape)
        planner = RegionPlanner(416, interval)
        full = regions = boxes = 0
        for frame in frames:
            t0 = time.perf_counter()
            plan = planner.plan(detector.detect(frame), no_tracks, frame.shape, frame.ts)
            times.append(time.perf_counter() - t0)
            full += plan.full_frame
            regions += 0 if plan.full_frame else len(plan.regions)
            boxes += len(plan.boxes)
    ms = sorted(t * 1000 for t in times)
    n = len(frames)
    return (
        "motion+planning",
        f"{n} frames",
        f"{statistics.mean(ms):.2f} ms mean",
        f"{ms[int(0.95 * (len(ms) - 1))]:.2f} ms p95",
        f"full {full / n:.0%}, crops/frame {regions / n:.2f}, boxes/frame {boxes / n:.1f}",
    )


def print_table(title: str, rows: list[tuple[str, ...]]) -> None:
    """Plain aligned table."""
    print(f"\n{title}")
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the given videos (default: vtest.avi)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=2.0, help="full-frame interval (s)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    videos = args.videos or [p for p in CANDIDATES if p.is_file()][:1]
    if not videos:
        print("no video given and vtest.avi not found", file=sys.stderr)
        return 2
    for video in videos:
        frames = list(_source(video, args.fps, args.width).frames())
        rows = [
            decode_row(video, args.fps, args.width, args.repeat),
            decode_row(video, FULL_RATE, args.width, args.repeat),
            motion_row(frames, args.interval, args.repeat),
        ]
        h, w = frames[0].shape
        print_table(f"{video.name} -> {w}x{h}", rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
