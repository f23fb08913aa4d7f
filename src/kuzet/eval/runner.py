"""Run one camera's pipeline over a clip in-process and fold its events.

The same stages as ``kuzet analyze`` (real decoding, real detector, motion
gating, tracking, rules) run as fast as the machine allows; nothing is stored.
Each event id's OPEN/UPDATE/CLOSE phases become one ``ProducedEvent`` whose
times are seconds from the first frame and whose boxes are mapped from the
analysis resolution back to pixels of the original video.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kuzet.config.root import KuzetConfig
from kuzet.core.errors import SourceUnavailable
from kuzet.core.types import Detections, Event, EventPhase, Frame
from kuzet.eval.metrics import Box, ProducedEvent
from kuzet.runtime.analyze import camera_for_clip

if TYPE_CHECKING:
    from kuzet.runtime.pipeline import CameraPipeline

_MAX_BOXES = 64  # boxes kept per event (enough to test overlap, bounded memory)


@dataclass(frozen=True)
class VideoInfo:
    """Size and nominal rate of a video file."""

    width: int
    height: int
    fps: float


def probe_video(path: Path) -> VideoInfo:
    """Width, height and frame rate of the first video stream.

    Raises:
        SourceUnavailable: The file is missing or has no video stream.
    """
    import av

    if not path.is_file():
        raise SourceUnavailable(f"video file not found: {path}")
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            return VideoInfo(int(stream.width), int(stream.height), float(rate or 0.0))
    except (av.FFmpegError, IndexError) as exc:
        raise SourceUnavailable(f"cannot read video {path}: {exc}") from exc


@dataclass
class _Fold:
    first: Event
    last: Event
    start_ts: float
    end_ts: float | None = None
    boxes: list[Box] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)


@dataclass
class ClipRun:
    """What a pipeline run over a clip produced.

    Attributes:
        events: Events in opening order (times from the first frame, video pixels).
        frames: Frames analysed by the pipeline (at ``detect.fps``).
        elapsed_s: Wall-clock seconds of the run.
        video: Size and rate of the original video.
        counts: Line crossings {line: {class: {direction: n}}} drained from the
            counting rules (what the ``line_counts`` table would receive).
    """

    events: list[ProducedEvent]
    frames: int
    elapsed_s: float
    video: VideoInfo
    counts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    @property
    def fps(self) -> float:
        """Pipeline frames per second of wall-clock time."""
        return round(self.frames / self.elapsed_s, 2) if self.elapsed_s else 0.0


class EventFolder:
    """Folds event phases into ``ProducedEvent`` rows (boxes in video pixels).

    Args:
        scale: (sx, sy) from analysis pixels to original video pixels.
    """

    def __init__(self, scale: tuple[float, float]) -> None:
        self._scale = np.array([scale[0], scale[1], scale[0], scale[1]], np.float32)
        self._folds: dict[str, _Fold] = {}
        self.t0: float | None = None

    def add(self, event: Event, dets: Detections, frame_shape: tuple[int, int]) -> None:
        """Record one event phase seen with the frame's tracked detections."""
        fold = self._folds.get(event.id)
        if fold is None:
            fold = self._folds[event.id] = _Fold(event, event, event.frame_ts)
        fold.last = event
        fold.labels.update(event.labels)
        if event.phase is EventPhase.CLOSE:
            fold.end_ts = event.frame_ts
        if len(fold.boxes) < _MAX_BOXES:
            fold.boxes.extend(self._boxes(event, dets, frame_shape))

    def _boxes(self, event: Event, dets: Detections, shape: tuple[int, int]) -> list[Box]:
        rows: list[Any] = []
        attr_box = event.attrs.get("box")
        if attr_box is not None and len(attr_box) == 4:
            box = np.asarray(attr_box, np.float32)
            if float(box.max()) <= 1.0:  # relative 0-1 attrs -> analysis pixels
                box = box * np.array([shape[1], shape[0], shape[1], shape[0]], np.float32)
            rows.append(box)
        elif dets.track_id is not None and event.track_ids and event.phase is not EventPhase.CLOSE:
            rows.extend(dets.xyxy[np.isin(dets.track_id, event.track_ids)])
        return [_as_box(row * self._scale) for row in rows]

    def events(self) -> list[ProducedEvent]:
        """All events seen so far, as rows relative to ``t0``."""
        t0 = self.t0 or 0.0
        out = []
        for fold in self._folds.values():
            end = None if fold.end_ts is None else round(fold.end_ts - t0, 3)
            out.append(
                ProducedEvent(
                    type=str(fold.first.kind),
                    start_s=round(fold.start_ts - t0, 3),
                    end_s=end,
                    boxes=tuple(fold.boxes),
                    id=fold.first.id,
                    rule_id=fold.first.rule_id,
                    attrs=dict(fold.last.attrs),
                    labels=tuple(sorted(fold.labels)),
                )
            )
        return out


def _as_box(row: Any) -> Box:
    x1, y1, x2, y2 = (round(float(v), 1) for v in row)
    return (x1, y1, x2, y2)


def _drive(pipeline: CameraPipeline, frames: Iterable[Frame], info: VideoInfo) -> ClipRun:
    # Feed every frame, fold events and line counts, close what is open at the end.
    folder: EventFolder | None = None
    counts: dict[str, dict[str, dict[str, int]]] = {}
    started = time.perf_counter()
    last = None
    for frame in frames:
        if folder is None:
            h, w = frame.shape
            folder = EventFolder((info.width / w, info.height / h))
            folder.t0 = frame.ts
        out = pipeline.process(frame)
        for event in out.events:
            folder.add(event, out.detections, frame.shape)
        for count in out.counts:
            per_dir = counts.setdefault(count.line, {}).setdefault(count.label, {})
            per_dir[str(count.direction)] = per_dir.get(str(count.direction), 0) + count.n
        last = frame
    if last is not None and folder is not None:
        for event in pipeline.close(last.ts, last.wall):
            folder.add(event, Detections.empty(), last.shape)
    elapsed = time.perf_counter() - started
    events = folder.events() if folder is not None else []
    return ClipRun(events, pipeline.stats.frames, elapsed, info, counts)


def run_clip(config: KuzetConfig, video: Path, camera: str | None = None) -> ClipRun:
    """Run a camera's pipeline over ``video`` and collect its events.

    Args:
        config: Config holding the camera (rules, zones, lines, detect settings).
        video: The clip.
        camera: Camera id (default: the first).

    Returns:
        The folded events and run statistics.

    Raises:
        ConfigError: Unknown camera or invalid rules.
        SourceUnavailable: The video cannot be read.
        ModelError: The detector is not installed.
    """
    from kuzet.ingest import VideoSource
    from kuzet.runtime.build import PipelineParts, build_pipeline, local_detector

    info = probe_video(video)
    camera_id, cam = camera_for_clip(config, video, camera)
    detector = local_detector(cam, config.runtime)
    pipeline = build_pipeline(camera_id, cam, detector, PipelineParts(events=config.events))
    source = VideoSource(camera_id, cam.source, fps=cam.decode_fps, width=cam.detect.width)
    return _drive(pipeline, source.frames(), info)


def run_tracks(
    config: KuzetConfig, video: Path, size: tuple[int, int]
) -> Iterator[tuple[int, Detections]]:
    """The first camera's tracked detections on every frame of ``video``.

    Args:
        config: One-camera config (detect settings; ``detect.fps`` should be the
            video's own rate so that every frame is analysed).
        video: The clip (a file, or an FFmpeg image-sequence pattern).
        size: (width, height) of the original frames; boxes are mapped to them.

    Yields:
        (decoded frame index from 0, tracked detections in original pixels).
    """
    from kuzet.ingest import VideoSource
    from kuzet.runtime.build import PipelineParts, build_pipeline, local_detector

    camera_id, cam = camera_for_clip(config, video, None)
    detector = local_detector(cam, config.runtime)
    pipeline = build_pipeline(camera_id, cam, detector, PipelineParts(events=config.events))
    source = VideoSource(camera_id, cam.source, fps=cam.decode_fps, width=cam.detect.width)
    for frame in source.frames():
        out = pipeline.process(frame)
        h, w = frame.shape
        scale = np.array([size[0] / w, size[1] / h] * 2, np.float32)
        dets = out.detections
        yield frame.seq, dataclasses.replace(dets, xyxy=dets.xyxy * scale)
