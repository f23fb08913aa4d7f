"""Per-clip time of the fight path, stage by stage: decode / pose (with its embedding) /
pose features / flow / windows + model.

The stages are the ones FeatureExtractor.frame_record and FightAnalyzer run
(pose_frame, FlowMeter.measure, window_features, FightModel.predict_proba),
timed one by one on every analysis frame of each clip.

Usage:
    .venv/bin/python benchmarks/fights.py [DATA_DIR] [--clips N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from kuzet.config.cameras import SourceConfig
from kuzet.enrich.pose.movenet import PoseEstimator
from kuzet.fights.dataset import list_clips
from kuzet.fights.features import ANALYSIS_WIDTH, window_features
from kuzet.fights.flow import FlowMeter
from kuzet.fights.model import FightModel
from kuzet.fights.posefeat import pose_frame
from kuzet.ingest.source import VideoSource
from kuzet.models.paths import require_model

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data/fight"
STAGES = ("decode", "pose", "pose_features", "flow", "window_model")


def time_clip(path: Path, pose: PoseEstimator, model: FightModel) -> dict[str, float]:
    """Seconds spent per stage on one clip."""
    spent = dict.fromkeys(STAGES, 0.0)
    flow = FlowMeter()
    people, last_ts, embedding = None, None, None
    rows: list[np.ndarray] = []
    source = VideoSource("bench", SourceConfig(url=str(path), pace="fast"), model.fps,
                         ANALYSIS_WIDTH)
    t0 = time.perf_counter()
    for frame in source.frames():
        t1 = time.perf_counter()
        seen = pose.detect_frame(frame.image)
        t2 = time.perf_counter()
        dt = frame.ts - last_ts if last_ts is not None else 0.0
        measured = pose_frame(people, seen.poses, frame.shape[0], dt)
        t3 = time.perf_counter()
        row = flow.measure(frame.image, dt, measured.people.boxes)
        t4 = time.perf_counter()
        delta = (np.abs(seen.embedding - embedding) if embedding is not None
                 else np.full(len(seen.embedding), np.nan, np.float32))
        rows.append(np.concatenate([measured.row, row, delta]))
        window = rows[-int(model.window_s * model.fps):]
        model.predict_proba(window_features(np.stack(window))[None])
        t5 = time.perf_counter()
        people, last_ts, embedding = measured.people, frame.ts, seen.embedding
        for stage, (a, b) in zip(STAGES, ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)),
                                 strict=True):
            spent[stage] += b - a
        t0 = time.perf_counter()
    return spent


def main() -> None:
    """Print per-clip ms per stage (mean over clips)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--clips", type=int, default=20, help="Clips to time (half per class).")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"data folder {args.data} not found")
    clips = list_clips(args.data)
    fights = [c for c in clips if c.label == 1][: args.clips // 2]
    calm = [c for c in clips if c.label == 0][: args.clips - len(fights)]
    pose = PoseEstimator(require_model("movenet-multipose"))
    model = FightModel.load()
    totals = [time_clip(c.path, pose, model) for c in fights + calm]
    print(f"{len(totals)} clips, ms per clip (window+model timed on every frame, an upper bound):")
    for stage in STAGES:
        print(f"  {stage:14s} {1000 * np.mean([t[stage] for t in totals]):8.1f}")
    print(f"  {'total':14s} {1000 * np.mean([sum(t.values()) for t in totals]):8.1f}")


if __name__ == "__main__":
    main()
