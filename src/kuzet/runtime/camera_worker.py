"""One process per camera: ingest, the camera's pipeline, live frames, health.

The process talks to the supervisor over ``out`` (events, health, live JPEGs)
and to its detector process over ``detector``. Both pipes are this camera's
alone. A broad ``except`` is allowed here: this is the process boundary.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from typing import TYPE_CHECKING, Any

from kuzet.config.cameras import CameraConfig
from kuzet.config.events import EventsConfig
from kuzet.config.privacy import PrivacyConfig
from kuzet.config.store import StoreConfig
from kuzet.core.types import CameraHealth, CameraState, FloatArray, Frame
from kuzet.detect.base import DetectorInfo
from kuzet.privacy.redaction import Redactor
from kuzet.record import Recorder, Segment
from kuzet.render.live import render_live
from kuzet.runtime.capacity import RateWatch, shortfall_reason
from kuzet.runtime.live_redaction import frame_regions
from kuzet.runtime.messages import (
    CountsMessage,
    EventMessage,
    FaceProbesMessage,
    HealthMessage,
    LiveFrame,
    PlateReadsMessage,
    SegmentMessage,
)
from kuzet.runtime.stop_flag import StopFlag

if TYPE_CHECKING:
    from kuzet.runtime.pipeline import PipelineOutput

log = logging.getLogger(__name__)

HEALTH_EVERY_S = 1.0
LIVE_STALE_S = 1.0  # without a detected frame for this long, live frames go out blurred whole


@dataclass(frozen=True)
class CameraWorkerArgs:
    """Everything a camera process needs (pickled to the child)."""

    camera_id: str
    camera: CameraConfig
    events: EventsConfig
    media_root: str
    detector: DetectorInfo  # facts of the model its detector process runs
    live_fps: float
    restarts: int = 0
    state_dir: str | None = None  # rules' persistent state (baselines)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)  # live redaction
    media_floor_bytes: int = 0  # below this much free space snapshots are skipped
    store: StoreConfig = field(default_factory=StoreConfig)  # store.media: folder or S3


class _Outbox:
    """Thread-safe sender on the camera's pipe to the supervisor."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def send(self, message: object) -> None:
        with self._lock:
            self._conn.send(message)


def camera_main(
    args: CameraWorkerArgs,
    out: Connection,
    detector: Connection,
    live_rate: Synchronized[float],
    stop: StopFlag,
) -> None:
    """Entry point of a camera process; returns when ``stop`` is set.

    ``live_rate`` is the live frames a second the camera's watchers ask for (the
    supervisor sets it; 0 while nobody watches): live JPEGs are rendered at that
    rate, at most ``args.live_fps``, and not at all at 0.
    """
    from pathlib import Path

    from kuzet.ingest import ReconnectingSource
    from kuzet.runtime.build import PipelineParts, build_pipeline
    from kuzet.runtime.detector_service import RemoteDetector
    from kuzet.store.media import open_media

    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.camera_id} %(message)s")
    outbox = _Outbox(out)
    cfg = args.camera
    recorder = _recorder(args, outbox)
    source = ReconnectingSource(
        args.camera_id, cfg.source, fps=cfg.decode_fps, width=cfg.detect.width, tap=recorder
    )
    remote = RemoteDetector(detector, args.detector)
    redactor = Redactor(args.privacy)  # models load on the first watched frame or snapshot
    parts = PipelineParts(
        media=open_media(args.store, Path(args.media_root), args.media_floor_bytes),
        events=args.events,
        state_dir=None if args.state_dir is None else Path(args.state_dir),
        redactor=redactor,  # redacted copies of event snapshots
    )
    pipeline = build_pipeline(args.camera_id, cfg, remote, parts)
    shape = [0, 0]
    reporter = threading.Thread(
        target=_report_health,
        args=((source, recorder), pipeline, remote, args, outbox, stop, shape),
        daemon=True,
    )
    reporter.start()
    _run(args, (source, pipeline, redactor), outbox, live_rate, stop, shape)


def _recorder(args: CameraWorkerArgs, outbox: _Outbox) -> Recorder | None:
    """The camera's recorder (None when recording is off); segments go to the supervisor."""
    if not args.camera.record.enabled:
        return None
    from pathlib import Path

    def send(segment: Segment) -> None:
        try:
            outbox.send(SegmentMessage(segment))
        except (OSError, ValueError):  # supervisor gone: start-up repair indexes the file
            log.warning("segment %s not sent to the index", segment.key)

    return Recorder(args.camera_id, args.camera.record, Path(args.media_root), send)


def with_recording(health: CameraHealth, recorder: Recorder | None) -> CameraHealth:
    """``health`` with the recorder's state; a failing recorder degrades an online camera."""
    if recorder is None:
        return health
    rec = recorder.health
    if rec.state != "error":
        return replace(health, recording=rec.state)
    health = replace(health, recording=f"error: {rec.reason}")
    if health.state is CameraState.ONLINE:
        health = replace(health, state=CameraState.DEGRADED, reason=rec.reason)
    return health


def _run(
    args: CameraWorkerArgs,
    stages: tuple[Any, Any, Redactor],
    outbox: _Outbox,
    live_rate: Synchronized[float],
    stop: StopFlag,
    shape: list[int],
) -> None:
    # stages: the source, the camera's pipeline and the redactor, built in camera_main.
    source, pipeline, redactor = stages
    stopper = threading.Thread(target=lambda: (stop.wait(), source.close()), daemon=True)
    stopper.start()
    last_live = 0.0
    last = None
    for frame in source.frames():
        if stop.is_set():
            break
        shape[:] = frame.shape
        result = pipeline.process(frame)
        last = frame
        for event in result.events:
            outbox.send(EventMessage(event))
        if result.counts:
            outbox.send(CountsMessage(tuple(result.counts)))
        if result.face_probes:
            outbox.send(FaceProbesMessage(tuple(result.face_probes)))
        if result.plate_reads:
            outbox.send(PlateReadsMessage(tuple(result.plate_reads)))
        since = time.monotonic() - last_live
        rate = min(live_rate.value, args.live_fps)  # what the watchers ask; 0: nobody
        # Prefer frames with their own detection pass: others can only go out blurred whole.
        if rate > 0 and since >= 1.0 / rate and (
            result.fresh is not None or since >= LIVE_STALE_S
        ):
            last_live = time.monotonic()
            outbox.send(live_frame(args.camera_id, frame, result, pipeline.zones_abs, redactor))
    if last is not None:
        for event in pipeline.close(last.ts, time.time()):
            outbox.send(EventMessage(event))
        reads = pipeline.close_plates()
        if reads:
            outbox.send(PlateReadsMessage(tuple(reads)))
        probes = pipeline.close_faces()
        if probes:
            outbox.send(FaceProbesMessage(tuple(probes)))


def live_frame(
    camera_id: str,
    frame: Frame,
    result: PipelineOutput,
    zones: dict[str, FloatArray],
    redactor: Redactor,
) -> LiveFrame:
    """The annotated live JPEG of ``frame`` with what to hide from masked viewers."""
    jpeg = render_live(frame.image, result.detections, zones, result.motion)
    regions = frame_regions(redactor, frame.image, result.detections, result.fresh, result.motion)
    return LiveFrame(camera_id, frame.seq, jpeg, regions)


def _with_rate(health: CameraHealth, rate: RateWatch, now: float, analysed: int) -> CameraHealth:
    # Judged only while the source delivers: a lost stream reports its own state.
    if health.state is not CameraState.ONLINE:
        rate.reset()
        return health
    achieved = rate.update(now, analysed)
    if achieved is None:
        return health
    reason = shortfall_reason(achieved, rate.target_fps, health.fps_in)
    return replace(health, state=CameraState.DEGRADED, reason=reason)


def _report_health(  # noqa: PLR0913
    inputs: tuple[Any, Recorder | None],
    pipeline: Any,
    remote: Any,
    args: CameraWorkerArgs,
    outbox: _Outbox,
    stop: StopFlag,
    shape: list[int],
) -> None:
    source, recorder = inputs
    analysed_before, t_before = 0, time.monotonic()
    rate = RateWatch(pipeline.cfg.detect.fps)
    while not stop.wait(HEALTH_EVERY_S):
        now = time.monotonic()
        dt = max(now - t_before, 1e-6)
        stats = pipeline.stats
        health: CameraHealth = replace(
            source.health,
            fps_analysed=round((stats.analysed - analysed_before) / dt, 2),
            detect_drops=remote.drops,
            restarts=args.restarts,
        )
        if health.state is CameraState.ONLINE and remote.drops and stats.frames:
            if stats.detect_drops / max(stats.frames, 1) > 0.2:
                health = replace(health, state=CameraState.DEGRADED, reason="detector overloaded")
        health = _with_rate(health, rate, now, stats.analysed)
        health = with_recording(health, recorder)
        analysed_before, t_before = stats.analysed, now
        try:
            outbox.send(HealthMessage(health, shape[1], shape[0]))
        except (OSError, ValueError):
            return
