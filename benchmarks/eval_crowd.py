"""People counting on a crowd folder: full frame vs tiled detection.

Prints MAE, RMSE, mean counts and ms/image for each tiling on a folder in the
``kuzet eval crowd`` format (``images/`` + ``counts.csv``).

Usage:
    .venv/bin/python benchmarks/eval_crowd.py [--folder DIR] [--threads N]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kuzet.detect import load_object_detector
from kuzet.detect.tiling import FULL_FRAME, TileSpec
from kuzet.eval.crowd import evaluate_crowd

SHARED_CROWD = Path(__file__).resolve().parents[1].parent / "shared/data/crowd"

VARIANTS = {
    "full_frame": FULL_FRAME,
    "tiles_2x2": TileSpec(grids=(2,)),
    "tiles_3x2": TileSpec(grids=(3,)),
    "tiles_2x2+3x2": TileSpec(grids=(2, 3)),
}


def main() -> None:
    """Evaluate every variant and print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=SHARED_CROWD)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not (args.folder / "counts.csv").is_file():
        raise SystemExit(f"{args.folder}/counts.csv not found (../shared/data is absent)")
    detector = load_object_detector("nanodet", threads=args.threads)
    for name, spec in VARIANTS.items():
        report = evaluate_crowd(args.folder, detector, spec).to_json()
        report.pop("images")
        print(json.dumps({"variant": name, **report}))


if __name__ == "__main__":
    main()
