"""``kuzet analyze``: run one camera's pipeline over a file as fast as possible."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
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


def _drive(
    pipeline: CameraPipeline, frames: Iterable[Frame], bus: Bus[Event], counts: Bus[list[LineCount]]
) -> None:
    # Every frame through the pipeline; events and counts to their buses; close at the end.
    last = None
    for frame in frames:
        out = pipeline.process(frame)
        for event in out.events:
            bus.publish(event)
        if out.counts:
            counts.publish(out.counts)
        last = frame
    if last is not None:
        for event in pipeline.close(last.ts, last.wall):
            bus.publish(event)


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
    from kuzet.store import MediaStore, open_store

    camera_id, cam = camera_for_clip(config, video, camera)
    detector = local_detector(cam, config.runtime)
    store = open_store(config.store.url, data_dir)
    media = MediaStore(Path(config.store.media_dir or data_dir / "media"))
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    result = AnalyzeResult(camera_id, str(video))
    bus.subscribe(lambda e: result.events.__setitem__(e.id, e))
    parts = PipelineParts(media=media, events=config.events, state_dir=data_dir / "state")
    pipeline = build_pipeline(camera_id, cam, detector, parts)
    source = VideoSource(camera_id, cam.source, fps=cam.decode_fps, width=cam.detect.width)
    counts: Bus[list[LineCount]] = Bus()
    counts.subscribe(store.counts.add)
    counts.subscribe(result.add_counts)
    started = time.perf_counter()
    try:
        frames = tqdm(
            source.frames(), desc=f"analyze {video.name}", unit="frame", disable=not progress
        )
        _drive(pipeline, frames, bus, counts)
    finally:
        store.close()
    result.elapsed_s = time.perf_counter() - started
    result.frames = pipeline.stats.frames
    result.analysed = pipeline.stats.analysed
    result.stats = vars(pipeline.stats).copy()
    return result
