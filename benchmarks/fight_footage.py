"""Window scores of whole videos played through FightAnalyzer (the live path).

For each video: windows scored, max and mean window score, windows at or above
the live threshold and the longest run of them (the live rule opens an event
after ``fights.min_windows`` = 3 in a row). Use it to check false alarms on
footage without fights (vtest.avi) and that fight clips reach the threshold.

Usage:
    .venv/bin/python benchmarks/fight_footage.py VIDEO [VIDEO ...] [--model PATH]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from kuzet.enrich.pose.movenet import PoseEstimator
from kuzet.fights.analyzer import FightAnalyzer
from kuzet.fights.dataset import posed_frames
from kuzet.fights.model import FightModel
from kuzet.fights.training import longest_run
from kuzet.models.paths import require_model


def play(path: Path, pose: PoseEstimator, model: FightModel) -> dict[str, float]:
    """Score every window of one video."""
    analyzer = FightAnalyzer(model)
    scores, times = [], []
    start = time.perf_counter()
    for frame, seen in posed_frames(path, pose, analyzer.fps, {}):
        window = analyzer.update(frame, seen.poses, seen.embedding)
        if window is not None:
            scores.append(window.score)
            times.append(window.ts)
    tail = analyzer.flush()
    if tail is not None:
        scores.append(tail.score)
        times.append(tail.ts)
    values = np.asarray(scores, np.float64)
    threshold = analyzer.threshold
    best = int(np.argmax(values)) if len(values) else 0
    return {"windows": len(values), "max": float(values.max()) if len(values) else 0.0,
            "max_at_s": times[best] if times else 0.0,
            "mean": float(values.mean()) if len(values) else 0.0,
            "above": int((values >= threshold).sum()),
            "longest_run": longest_run(values, threshold), "threshold": threshold,
            "seconds": time.perf_counter() - start}


def main() -> None:
    """Print one line per video."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("videos", nargs="+", type=Path)
    parser.add_argument("--model", type=Path, default=None, help="Fight model (default: shipped).")
    args = parser.parse_args()
    pose = PoseEstimator(require_model("movenet-multipose"))
    model = FightModel.load(args.model)
    print(f"live threshold {model.live_threshold}; columns: windows, max (at s), mean, "
          "windows >= threshold, longest run, wall seconds")
    for path in args.videos:
        r = play(path, pose, model)
        print(f"{path.name:34s} {r['windows']:5d} {r['max']:.3f} ({r['max_at_s']:.1f}) "
              f"{r['mean']:.2f} {r['above']:4d} {r['longest_run']:3d} {r['seconds']:6.1f}")


if __name__ == "__main__":
    main()
