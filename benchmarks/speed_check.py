"""Track speeds on a calibrated clip, for checking against hand-timed references.

Runs the pipeline's detector and tracker over the clip at ``--fps``, maps each
vehicle track's bottom centre through the camera calibration (a YAML file with
the ``calibration`` section's keys) and fits its speed (``rules.speeding.fit_speed``,
the speeding rule's estimator) over the positions inside ``--stretch`` metres
along the road. One row per track: first time in the stretch, positions used,
speed and uncertainty in km/h.

Usage:
    .venv/bin/python benchmarks/speed_check.py \\
        [--video ../shared/data/video/bgslibrary_video03.avi] \\
        [--calibration benchmarks/calibration/bgslibrary_video03.yml] [--stretch 0,36.58]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from kuzet.config.calibration import CalibrationConfig
from kuzet.eval.defaults import config_with_rules
from kuzet.eval.runner import camera_for_clip
from kuzet.rules.speeding import calibration_fit, fit_speed

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared/data/video"
VEHICLES = ("car", "motorcycle", "bus", "truck")


def _positions(video: Path, fps: float) -> dict[int, list[tuple[float, float, float, str]]]:
    # track id -> [(ts, x_rel, y_rel, label)] of its bottom centre, every analysed frame
    from kuzet.ingest import VideoSource
    from kuzet.runtime.build import PipelineParts, build_pipeline, local_detector

    config = config_with_rules([], detect={"fps": fps})
    camera_id, cam = camera_for_clip(config, video, None)
    pipeline = build_pipeline(camera_id, cam, local_detector(cam, config.runtime),
                              PipelineParts(events=config.events))
    source = VideoSource(camera_id, cam.source, fps=cam.decode_fps, width=cam.detect.width)
    tracks: dict[int, list[tuple[float, float, float, str]]] = defaultdict(list)
    for frame in source.frames():
        dets = pipeline.process(frame).detections
        if dets.track_id is None:
            continue
        h, w = frame.shape
        for tid, (x, y), label in zip(dets.track_id.tolist(), dets.bottom_center, dets.labels,
                                      strict=True):
            if label in VEHICLES:
                tracks[int(tid)].append((frame.ts, float(x) / w, float(y) / h, label))
    return tracks


def main() -> None:
    """Print one JSON row per vehicle track with a speed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=SHARED / "bgslibrary_video03.avi")
    parser.add_argument("--calibration", type=Path,
                        default=ROOT / "benchmarks/calibration/bgslibrary_video03.yml")
    parser.add_argument("--stretch", default="0,36.58", help="Y range in metres: lo,hi")
    parser.add_argument("--fps", type=float, default=10.0)
    args = parser.parse_args()
    if not args.video.is_file():
        raise SystemExit(f"{args.video} not found (../shared/data is absent)")
    cal = CalibrationConfig.model_validate(yaml.safe_load(args.calibration.read_text()))
    fit, rel = calibration_fit(cal)
    lo, hi = (float(v) for v in args.stretch.split(","))
    for tid, rows in sorted(_positions(args.video, args.fps).items()):
        arr = np.asarray([r[:3] for r in rows])
        ground = fit.to_ground(arr[:, 1:])
        keep = (ground[:, 1] >= lo) & (ground[:, 1] <= hi)
        if keep.sum() < 3 or np.ptp(arr[keep, 0]) < 0.3:
            continue
        speed = fit_speed(arr[keep, 0], ground[keep], rel)
        row = {"track": tid, "t_first": round(float(arr[keep, 0][0]), 2), "n": int(keep.sum()),
               "label": rows[0][3], "x_rel": round(float(arr[keep, 1].mean()), 3),
               "speed_kmh": round(speed.kmh, 1), "sigma_kmh": round(speed.sigma_kmh, 1)}
        print(json.dumps(row))


if __name__ == "__main__":
    main()
