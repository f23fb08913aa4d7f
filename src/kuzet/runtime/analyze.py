"""``kuzet analyze``: run one camera's pipeline over a file as fast as possible.

Events it stores are marked as batch results: ``attrs.source = "analyze"`` and
``attrs.video`` (the file name), so the console and the API tell them from the
live camera's, even in the live database; its line counts are stored under the
camera id ``analyze:<camera>``. Their times follow the file's own
timeline, anchored so the file ends when the analysis started (never in the
future). Rules' learned state (crowd baselines) is kept apart too, in
``<data dir>/state/analyze/``: an analysis never loads or rewrites the live
cameras' baselines in ``<data dir>/state/``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kuzet.config.cameras import CameraConfig
from kuzet.config.root import KuzetConfig
from kuzet.core.counts import LineCount
from kuzet.core.errors import ConfigError
from kuzet.core.types import Event, Frame
from kuzet.events.bus import Bus

if TYPE_CHECKING:
    from kuzet.runtime.pipeline import CameraPipeline


@dataclass
class AnalyzeResult:
    """Summary printed by ``kuzet analyze``."""

    camera_id: str
    video: str
    frames: int = 0
    analysed: int = 0
    elapsed_s: float = 0.0
    events: dict[str, Event] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    # line -> class -> direction -> crossings
    counts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    def add_counts(self, counts: list[LineCount]) -> None:
        """Add line count increments to the totals."""
        for c in counts:
            per_dir = self.counts.setdefault(c.line, {}).setdefault(c.label, {})
            per_dir[str(c.direction)] = per_dir.get(str(c.direction), 0) + c.n

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed with ``--json``."""
        from kuzet.events.sinks import event_to_json

        return {
            "camera": self.camera_id,
            "video": self.video,
            "frames": self.frames,
            "analysed_frames": self.analysed,
            "elapsed_s": round(self.elapsed_s, 3),
            "fps": round(self.frames / self.elapsed_s, 2) if self.elapsed_s else 0.0,
            "events_total": len(self.events),
            "events": [event_to_json(e) for e in self.events.values()],
            "stats": self.stats,
            "counts": self.counts,
        }


def camera_for_clip(
    config: KuzetConfig, video: Path, camera: str | None
) -> tuple[str, CameraConfig]:
    """The chosen camera's config with its source replaced by ``video`` (fast, no loop).

    Raises:
        ConfigError: ``camera`` is not in the config.
    """
    camera_id = camera or next(iter(config.cameras))
    if camera_id not in config.cameras:
        raise ConfigError(
            f"--camera {camera_id!r} is not in the config; cameras: {sorted(config.cameras)}"
        )
    cam = config.cameras[camera_id]
    source = cam.source.model_copy(update={"url": str(video), "pace": "fast", "loop": False})
    return camera_id, cam.model_copy(update={"source": source})


SOURCE = "analyze"
"""``attrs.source`` of events made by ``kuzet analyze`` (live events have none)."""


def batch_state_dir(data_dir: Path) -> Path:
    """Where ``kuzet analyze`` keeps rules' state: apart from the live cameras' baselines."""
    return data_dir / "state" / SOURCE


def mark_batch(event: Event, video: Path) -> Event:
    """``event`` marked as made by ``kuzet analyze`` from ``video``."""
    return replace(event, attrs={**event.attrs, "source": SOURCE, "video": video.name})


def _drive(
    pipeline: CameraPipeline,
    frames: Iterable[Frame],
    bus: Bus[Event],
    counts: Bus[list[LineCount]],
    mark: Callable[[Event], Event],
) -> None:
    # Every frame through the pipeline; events and counts to their buses; close at the end.
    last = None
    for frame in frames:
        out = pipeline.process(frame)
        for event in out.events:
            bus.publish(mark(event))
        if out.counts:
            counts.publish(out.counts)
        last = frame
    if last is not None:
        for event in pipeline.close(last.ts, last.wall):
            bus.publish(mark(event))


def analyze_video(
    config: KuzetConfig,
    video: Path,
    data_dir: Path,
    camera: str | None = None,
    progress: bool = True,
) -> AnalyzeResult:
    """Run the pipeline over ``video`` and store its events; returns a summary."""
    from tqdm import tqdm

    from kuzet.events.sinks import StoreSink
    from kuzet.ingest import VideoSource
    from kuzet.runtime.build import PipelineParts, build_pipeline, local_detector
    from kuzet.store import open_store
    from kuzet.store.media import open_media

    camera_id, cam = camera_for_clip(config, video, camera)
    detector = local_detector(cam, config.runtime)
    store = open_store(config.store.url, data_dir)
    media = open_media(config.store, Path(config.store.media_dir or data_dir / "media"))
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    result = AnalyzeResult(camera_id, str(video))
    bus.subscribe(lambda e: result.events.__setitem__(e.id, e))
    parts = PipelineParts(media=media, events=config.events, state_dir=batch_state_dir(data_dir))
    pipeline = build_pipeline(camera_id, cam, detector, parts)
    source = VideoSource(camera_id, cam.source, fps=cam.decode_fps, width=cam.detect.width)
    counts: Bus[list[LineCount]] = Bus()
    # Batch counts are kept apart from the live camera's (camera id "analyze:<id>").
    counts.subscribe(
        lambda c: store.counts.add([replace(x, camera_id=f"{SOURCE}:{x.camera_id}") for x in c])
    )
    counts.subscribe(result.add_counts)
    started = time.perf_counter()
    try:
        frames = tqdm(
            source.frames(), desc=f"analyze {video.name}", unit="frame", disable=not progress
        )
        _drive(pipeline, frames, bus, counts, lambda e: mark_batch(e, video))
    finally:
        store.close()
    result.elapsed_s = time.perf_counter() - started
    result.frames = pipeline.stats.frames
    result.analysed = pipeline.stats.analysed
    result.stats = vars(pipeline.stats).copy()
    return result
