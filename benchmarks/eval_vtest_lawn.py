"""``kuzet eval events`` on vtest.avi with a hand-made lawn zone_presence ground truth.

The ground truth was written by looking at the clip: one thumbnail per second
with the lawn polygon drawn on it. Nobody's feet are on the lawn until 51 s,
when a couple enters it at the bottom-right corner and crosses it to the left;
the woman keeps walking on the lawn to its left edge (about 71 s), and people
then walk along the lawn's upper edge until the end (79.5 s). One row, no box.

Also runs the default whole-frame rules against a one-row file (pedestrians
are in view for the whole clip).

Usage:
    .venv/bin/python benchmarks/eval_vtest_lawn.py [--video PATH]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from kuzet.config.load import load_config
from kuzet.eval.events import EventsRequest, evaluate_events

SHARED_VIDEO = Path(__file__).resolve().parents[1].parent / "shared/data/video/vtest.avi"

LAWN_CONFIG = """\
version: 1
detect: {fps: 5, classes: [person]}
cameras:
  plaza:
    source: {url: unused}
    zones:
      # The lawn below the path (x, y fractions of the frame).
      lawn:
        points: [[0, 0.45], [0.3, 0.52], [0.5, 0.60], [0.7, 0.74], [1, 0.88], [1, 1], [0, 1]]
    rules:
      - {kind: zone_presence, id: on_lawn, zone: lawn, min_duration: 1, close_after: 3}
"""
HEADER = "type,start_s,end_s,x1,y1,x2,y2,note\n"
LAWN_EVENTS = HEADER + "zone_presence,51,79.5,,,,,couple crosses the lawn; woman walks on\n"
WHOLE_EVENTS = HEADER + "zone_presence,0,79.5,,,,,pedestrians in view throughout\n"


def _summary(report: dict[str, object]) -> dict[str, object]:
    keys = ("matched", "missed", "false_alarms", "offsets_s", "precision", "recall", "fps")
    out = {k: report[k] for k in keys}
    events = report["events"]
    assert isinstance(events, list)
    out["produced"] = [(e["type"], e["start_s"], e["end_s"]) for e in events]
    return out


def main() -> None:
    """Run both evaluations and print their summaries as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=SHARED_VIDEO)
    args = parser.parse_args()
    if not args.video.is_file():
        raise SystemExit(f"{args.video} not found (../shared/data is absent)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "lawn.yml").write_text(LAWN_CONFIG, encoding="utf-8")
        (folder / "lawn.events.csv").write_text(LAWN_EVENTS, encoding="utf-8")
        (folder / "whole.events.csv").write_text(WHOLE_EVENTS, encoding="utf-8")
        config = load_config(folder / "lawn.yml")
        lawn = evaluate_events(EventsRequest(args.video, folder / "lawn.events.csv", config))
        whole = evaluate_events(EventsRequest(args.video, folder / "whole.events.csv"))
    print(json.dumps({"lawn": _summary(lawn.to_json()), "whole_frame": _summary(whole.to_json())}))


if __name__ == "__main__":
    main()
