"""``kuzet eval counts``: directional line crossings per class over a clip.

The clip runs through the pipeline with one ``line_crossing`` rule (per-crossing
events on, no cooldown), so the counts are exactly what a deployed camera with
that line would count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kuzet.core.errors import ConfigError
from kuzet.eval.count_truth import Crossing, match_crossings
from kuzet.eval.defaults import available_kinds, config_with_rules
from kuzet.eval.runner import ClipRun, probe_video, run_clip

LINE_NAME = "eval_line"
RelLine = tuple[float, float, float, float]


def parse_line(text: str, width: int, height: int) -> RelLine:
    """``x1,y1,x2,y2`` -> a relative 0-1 line.

    Values are relative 0-1 unless any is above 1, in which case all four are
    pixels of the original ``width`` x ``height`` video.

    Raises:
        ConfigError: Not four numbers, outside the frame, or a zero-length line.

    Example:
        >>> parse_line("0,180,640,180", 640, 360)
        (0.0, 0.5, 1.0, 0.5)
    """
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ConfigError(f"--line must be x1,y1,x2,y2 numbers, got {text!r}") from None
    if len(values) != 4:
        raise ConfigError(f"--line needs 4 numbers x1,y1,x2,y2, got {len(values)}")
    if any(v > 1 for v in values):
        values = [values[0] / width, values[1] / height, values[2] / width, values[3] / height]
    if any(v < 0 or v > 1 for v in values):
        raise ConfigError(f"--line {text!r} lies outside the {width}x{height} frame")
    if (values[0], values[1]) == (values[2], values[3]):
        raise ConfigError("--line start and end must differ")
    x1, y1, x2, y2 = values
    return (x1, y1, x2, y2)


@dataclass(frozen=True)
class CountsReport:
    """Crossings by class and direction, and the run they came from."""

    video: Path
    line: RelLine
    run: ClipRun
    truth: list[Crossing] | None = None
    tolerance_s: float = 1.5

    def counts(self) -> dict[str, dict[str, int]]:
        """{class: {"in": n, "out": n}} as the line rule counted them."""
        per_class = self.run.counts.get(LINE_NAME, {})
        return {
            label: {"in": dirs.get("in", 0), "out": dirs.get("out", 0)}
            for label, dirs in sorted(per_class.items())
        }

    def crossings(self) -> list[dict[str, Any]]:
        """One row per crossing: seconds from the clip start, class, direction."""
        return [
            {
                "t_s": e.start_s,
                "label": e.labels[0] if e.labels else "",
                "direction": str(e.attrs.get("direction", "")),
            }
            for e in self.run.events
            if e.type == "line_crossing"
        ]

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed by ``--json``."""
        counts = self.counts()
        return {
            "video": str(self.video),
            "line": [round(v, 4) for v in self.line],
            "counts": counts,
            "total": sum(r["in"] + r["out"] for r in counts.values()),
            "frames": self.run.frames,
            "fps": self.run.fps,
            "elapsed_s": round(self.run.elapsed_s, 3),
            "video_fps": round(self.run.video.fps, 3),
            "crossings": self.crossings(),
            **self._against_truth(),
        }

    def _against_truth(self) -> dict[str, Any]:
        if self.truth is None:
            return {}
        counted = [Crossing(c["t_s"], c["label"], c["direction"]) for c in self.crossings()]
        return match_crossings(self.truth, counted, self.tolerance_s)


@dataclass(frozen=True)
class CountsRequest:
    """What ``kuzet eval counts`` was asked.

    Attributes:
        video: The clip.
        line: ``x1,y1,x2,y2`` (relative 0-1, or pixels of the video if any value > 1).
        classes: Classes counted (default: the line rule's defaults).
        fps: Analysis frames per second (default: the ``detect.fps`` default).
        anchor: ``bottom`` or ``centre``: the point of a box that crosses.
        truth: Ground-truth crossings to match against, if given.
        tolerance_s: Seconds within which a counted crossing matches a true one.
    """

    video: Path
    line: str
    classes: list[str] | None = None
    fps: float | None = None
    anchor: str = "bottom"
    truth: list[Crossing] | None = None
    tolerance_s: float = 1.5


def count_crossings(request: CountsRequest) -> CountsReport:
    """Run the clip with one counting line and tally crossings (and match the truth).

    Raises:
        ConfigError: Bad line, or no ``line_crossing`` rule in this installation.
        SourceUnavailable: The video cannot be read.
        ModelError: The detector is not installed.
    """
    if "line_crossing" not in available_kinds():
        raise ConfigError("the line_crossing rule is not available in this installation")
    info = probe_video(request.video)
    rel = parse_line(request.line, info.width, info.height)
    rule: dict[str, Any] = {
        "kind": "line_crossing",
        "id": "eval_counts",
        "line": LINE_NAME,
        "emit_events": True,
        "cooldown": 0.0,
        "anchor": request.anchor,
    }
    detect: dict[str, Any] = {} if request.fps is None else {"fps": request.fps}
    if request.classes:
        # The detection filter must keep the counted classes too.
        rule["classes"] = detect["classes"] = request.classes
    lines = {LINE_NAME: {"start": rel[:2], "end": rel[2:]}}
    run = run_clip(config_with_rules([rule], lines=lines, detect=detect), request.video)
    return CountsReport(request.video, rel, run, request.truth, request.tolerance_s)
