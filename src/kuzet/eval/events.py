"""``kuzet eval events``: run a clip through the pipeline, match events to ground truth."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kuzet.config.root import KuzetConfig
from kuzet.eval.defaults import check_camera_types, default_config
from kuzet.eval.expected import read_expected
from kuzet.eval.metrics import ExpectedEvent, MatchResult, match_events, summarize
from kuzet.eval.runner import ClipRun, run_clip
from kuzet.runtime.analyze import camera_for_clip
from kuzet.store.codec import to_jsonable


@dataclass(frozen=True)
class EventsRequest:
    """Inputs of one ``eval events`` run."""

    video: Path
    expected: Path
    config: KuzetConfig | None = None
    camera: str | None = None
    tolerance: float = 2.0


@dataclass(frozen=True)
class EventsReport:
    """Matching outcome and the run it came from."""

    request: EventsRequest
    expected: list[ExpectedEvent]
    run: ClipRun
    result: MatchResult

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed by ``--json``."""
        matched_to = {m.produced: m.expected for m in self.result.matches}
        events = []
        for j, event in enumerate(self.run.events):
            row = asdict(event)
            row["boxes"] = [list(b) for b in event.boxes[:8]]
            row["attrs"] = to_jsonable(event.attrs)
            row["matched_row"] = matched_to.get(j)
            events.append(row)
        missed_rows = [asdict(self.expected[i]) | {"row": i} for i in self.result.missed]
        return {
            "video": str(self.request.video),
            "expected_file": str(self.request.expected),
            "tolerance_s": self.request.tolerance,
            **summarize(self.expected, self.run.events, self.result),
            "expected_total": len(self.expected),
            "produced_total": len(self.run.events),
            "missed_rows": missed_rows,
            "frames": self.run.frames,
            "elapsed_s": round(self.run.elapsed_s, 3),
            "fps": self.run.fps,
            "events": events,
        }


def evaluate_events(request: EventsRequest) -> EventsReport:
    """Run the pipeline over the clip and match its events to the expected file.

    Without a config, rules are built from the expected types (whole frame).
    With one, the camera's own rules run; every expected type must be raised by
    one of them.

    Raises:
        ConfigError: Bad expected file, an expected type no rule can produce, or a
            line type without a config.
        SourceUnavailable: The video cannot be read.
        ModelError: The detector is not installed.
    """
    expected_file = read_expected(request.expected)
    config = request.config
    if config is None:
        config = default_config(expected_file.types)
        camera = None
    else:
        camera_id, cam = camera_for_clip(config, request.video, request.camera)
        check_camera_types(expected_file.types, cam, camera_id)
        camera = camera_id
    run = run_clip(config, request.video, camera)
    expected = expected_file.in_pixels(run.video.width, run.video.height)
    result = match_events(expected, run.events, request.tolerance)
    return EventsReport(request, expected, run, result)
