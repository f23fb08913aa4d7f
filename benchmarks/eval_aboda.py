"""``kuzet eval events`` on the ABODA left-bag clip with default rules.

Ground truth written by looking at the clip (thumbnails every second, the box
read off the full-resolution frame at 25 s): the man puts his bag down at the
left corner of the cabinet at about 14 s, stands by it, walks away at about
19 s and leaves the frame; he walks back through the scene from 29 s without
picking it up, and the bag is still there at the end (38.8 s). Box in pixels of
the 720x480 video.

Usage:
    .venv/bin/python benchmarks/eval_aboda.py [--video PATH]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from kuzet.eval.events import EventsRequest, evaluate_events

SHARED = Path(__file__).resolve().parents[1].parent / "shared/data/video"
EVENTS = (
    "type,start_s,end_s,x1,y1,x2,y2,note\n"
    "abandoned_object,19,38.8,455,365,505,412,bag left at the cabinet; owner walks away\n"
)


def main() -> None:
    """Run the evaluation with default rules and print the summary as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=SHARED / "aboda_video4_left_bag.avi")
    args = parser.parse_args()
    if not args.video.is_file():
        raise SystemExit(f"{args.video} not found (../shared/data is absent)")
    with tempfile.TemporaryDirectory() as tmp:
        expected = Path(tmp) / "aboda.events.csv"
        expected.write_text(EVENTS, encoding="utf-8")
        report = evaluate_events(EventsRequest(args.video, expected)).to_json()
    keys = ("matched", "missed", "false_alarms", "offsets_s", "precision", "recall", "fps")
    summary = {k: report[k] for k in keys}
    summary["produced"] = [
        (e["type"], e["start_s"], e["end_s"], e["attrs"].get("box")) for e in report["events"]
    ]
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
