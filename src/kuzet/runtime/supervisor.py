"""Starts, watches and restarts the embedded runtime's processes.

Start order: detector processes, then camera workers, then the collector and
watchdog threads; stop is the reverse. A camera worker that dies is restarted
with fresh pipes (at most ``max_restarts`` times within ``restart_window``
seconds) while the other cameras run on; a dead detector process is restarted
together with the cameras it served.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, cast

from kuzet.config.detect import ModelConfig
from kuzet.config.root import KuzetConfig
from kuzet.core.counts import LineCount
from kuzet.core.sightings import FaceProbe, PlateRead
from kuzet.core.types import CameraHealth, CameraState, Event
from kuzet.detect import DetectorInfo, detector_info
from kuzet.events.bus import Bus
from kuzet.runtime.camera_worker import CameraWorkerArgs, camera_main
from kuzet.runtime.detector_plan import plan_detectors
from kuzet.runtime.detector_service import DetectorWorkerArgs, detector_main
from kuzet.runtime.live_redaction import SharedRedaction
from kuzet.runtime.messages import (
    AttachCamera,
    CountsMessage,
    DetectorStats,
    EventMessage,
    FaceProbesMessage,
    HealthMessage,
    LiveFrame,
    PlateReadsMessage,
)
from kuzet.runtime.signal_loss import SignalLossMonitor
from kuzet.runtime.stop_flag import StopFlag

log = logging.getLogger(__name__)
_ctx = mp.get_context("spawn")


@dataclass
class _Detector:
    index: int
    model: ModelConfig
    info: DetectorInfo
    process: Any
    control: Connection
    stats: Connection
    latest: DetectorStats | None = None


@dataclass
class _Camera:
    camera_id: str
    detector: int
    viewers: Any
    process: Any = None
    out: Connection | None = None
    stop: Any = None
    health: CameraHealth | None = None
    size: tuple[int, int] = (0, 0)
    live: LiveFrame | None = None
    restarts: int = 0
    restart_times: deque[float] = field(default_factory=deque)
    given_up: bool = False
    finished: bool = False  # a file without `loop` ran to its end


class Supervisor:
    """The embedded runtime; also the API's ``LiveView``."""

    def __init__(
        self,
        config: KuzetConfig,
        media_root: Path,
        bus: Bus[Event],
        counts: Bus[tuple[LineCount, ...]] | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.media_root = media_root
        self.bus = bus
        # Line count increments go to their own bus (the store's counts sink).
        self.counts: Bus[tuple[LineCount, ...]] = counts if counts is not None else Bus()
        # Face probes from camera workers, for central watchlist matching.
        self.face_probes: Bus[FaceProbe] = Bus()
        # Plate reads from camera workers, for central hotlist matching and storage.
        self.plate_reads: Bus[PlateRead] = Bus()
        self.state_dir = state_dir
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._detectors: list[_Detector] = []
        self._cameras: dict[str, _Camera] = {}
        self._threads: list[threading.Thread] = []
        self._redaction = SharedRedaction(config.privacy.margin)
        self._signal: dict[str, SignalLossMonitor] = {}

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Start detectors, cameras, then the collector and watchdog threads."""
        enabled = [cid for cid, cam in self.config.cameras.items() if cam.enabled]
        models, assigned = plan_detectors(self.config, enabled)
        for index, model in enumerate(models):
            self._detectors.append(self._start_detector(index, model))
        for camera_id in enabled:
            cam = _Camera(camera_id, assigned[camera_id], _ctx.Value("i", 0, lock=False))
            self._cameras[camera_id] = cam
            self._signal[camera_id] = SignalLossMonitor(
                camera_id, self.config.cameras[camera_id], time.time()
            )
            self._start_camera(cam)
        for target in (self._collect, self._watch):
            thread = threading.Thread(target=target, name=target.__name__, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop cameras (they close open events), then detectors."""
        self._stopping.set()
        with self._lock:
            cameras = list(self._cameras.values())
        for cam in cameras:
            if cam.stop is not None:
                cam.stop.set()
        deadline = time.monotonic() + timeout
        for cam in cameras:
            if cam.process is not None:
                cam.process.join(max(0.1, deadline - time.monotonic()))
        self._drain(0.3)
        for cam in cameras:
            if cam.process is not None and cam.process.is_alive():
                cam.process.terminate()
        for det in self._detectors:
            with contextlib.suppress(OSError, ValueError):
                det.control.send(None)
            det.process.join(2.0)
            if det.process.is_alive():
                det.process.terminate()
        for thread in self._threads:
            thread.join(2.0)
        # Signal-loss events are the supervisor's own: close them, as cameras close theirs.
        now = time.time()
        for monitor in self._signal.values():
            for event in monitor.close_all(now):
                self.bus.publish(event)

    def _start_detector(self, index: int, model: ModelConfig) -> _Detector:
        rt = self.config.runtime
        info = detector_info(model)  # the model's facts (cheap): workers filter and plan by them
        args = DetectorWorkerArgs(
            worker=index,
            detect=self.config.detect.model_copy(update={"model": model}),
            threads=rt.detector_threads,
            models_dir=rt.models_dir,
            queue_size=rt.queue_size,
        )
        control_child, control = _ctx.Pipe(duplex=False)
        stats, stats_child = _ctx.Pipe(duplex=False)
        process = _ctx.Process(
            target=detector_main,
            args=(args, control_child, stats_child),
            name=f"kuzet-detector-{index}",
            daemon=True,
        )
        process.start()
        control_child.close()
        stats_child.close()
        return _Detector(index, model, info, process, control, stats)

    def _start_camera(self, cam: _Camera) -> None:
        cfg = self.config.cameras[cam.camera_id]
        args = CameraWorkerArgs(
            camera_id=cam.camera_id,
            camera=cfg,
            events=self.config.events,
            media_root=str(self.media_root),
            detector=self._detectors[cam.detector].info,
            live_fps=self.config.api.live_fps,
            restarts=cam.restarts,
            state_dir=None if self.state_dir is None else str(self.state_dir),
            privacy=self.config.privacy,
        )
        out, out_child = _ctx.Pipe(duplex=False)
        det_camera_side, det_detector_side = _ctx.Pipe(duplex=True)
        stop = StopFlag(_ctx)
        process = _ctx.Process(
            target=camera_main,
            args=(args, out_child, det_camera_side, cam.viewers, stop),
            name=f"kuzet-camera-{cam.camera_id}",
            daemon=True,
        )
        process.start()
        out_child.close()
        det_camera_side.close()
        self._detectors[cam.detector].control.send(AttachCamera(cam.camera_id, det_detector_side))
        det_detector_side.close()
        with self._lock:
            cam.process, cam.out, cam.stop = process, out, stop
            if cam.health is None:
                cam.health = CameraHealth(cam.camera_id, CameraState.STARTING, "starting")

    # -- threads ---------------------------------------------------------------

    def _collect(self) -> None:
        while not self._stopping.is_set():
            self._drain(0.5)

    def _drain(self, timeout: float) -> None:
        with self._lock:
            sources: dict[Connection, _Camera | _Detector] = {
                c.out: c for c in self._cameras.values() if c.out is not None
            }
            sources.update({d.stats: d for d in self._detectors})
        for ready in wait(list(sources), timeout=timeout):
            conn = cast(Connection, ready)
            owner = sources[conn]
            try:
                message = conn.recv()
            except (EOFError, OSError):
                self._forget_conn(owner, conn)
                continue
            except Exception:  # a half-written message from a killed worker
                log.exception("bad message from %s", owner)
                self._forget_conn(owner, conn)
                continue
            self._dispatch(owner, message)

    def _forget_conn(self, owner: _Camera | _Detector, conn: Connection) -> None:
        with self._lock:
            if isinstance(owner, _Camera) and owner.out is conn:
                owner.out = None

    def _dispatch(self, owner: _Camera | _Detector, message: object) -> None:
        if isinstance(message, EventMessage):
            self.bus.publish(message.event)
        elif isinstance(message, CountsMessage):
            self.counts.publish(message.counts)
        elif isinstance(message, FaceProbesMessage):
            for probe in message.probes:
                self.face_probes.publish(probe)
        elif isinstance(message, PlateReadsMessage):
            for read in message.reads:
                self.plate_reads.publish(read)
        elif isinstance(message, HealthMessage) and isinstance(owner, _Camera):
            with self._lock:
                owner.health = replace(message.health, restarts=owner.restarts)
                owner.size = (message.width, message.height)
        elif isinstance(message, LiveFrame) and isinstance(owner, _Camera):
            owner.live = message
        elif isinstance(message, DetectorStats) and isinstance(owner, _Detector):
            owner.latest = message

    def _watch(self) -> None:
        rt = self.config.runtime
        while not self._stopping.wait(0.5):
            self._check_signal(time.time())
            for det in list(self._detectors):
                if not det.process.is_alive() and not self._stopping.is_set():
                    log.error(
                        "detector %d died (exit %s); restarting", det.index, det.process.exitcode
                    )
                    self._detectors[det.index] = self._start_detector(det.index, det.model)
                    for cam in self._cameras.values():
                        if cam.detector == det.index and cam.process is not None:
                            cam.process.kill()
            for cam in list(self._cameras.values()):
                if cam.process is None or cam.process.is_alive() or cam.given_up:
                    continue
                if self._stopping.is_set():
                    return
                if cam.process.exitcode == 0:  # a file without `loop` ran to its end
                    self._finished(cam)
                    continue
                self._restart_camera(cam, rt.max_restarts, rt.restart_window)

    def _check_signal(self, now: float) -> None:
        # camera_tamper / signal_loss: no frames arrive, so the main process raises it.
        for camera_id, monitor in self._signal.items():
            if monitor.active and not self._cameras[camera_id].finished:
                with self._lock:
                    health = self._cameras[camera_id].health
                for event in monitor.check(health, now):
                    self.bus.publish(event)

    def _finished(self, cam: _Camera) -> None:
        # Nothing to restart (replaying the file would repeat its events), and no
        # signal was lost: the monitor stops watching it.
        cam.given_up = cam.finished = True
        reason = "the video file ended (source.loop is false)"
        log.info("camera %s: %s", cam.camera_id, reason)
        with self._lock:
            last = cam.health.last_frame_wall if cam.health is not None else None
            cam.health = CameraHealth(cam.camera_id, CameraState.OFFLINE, reason, last,
                                      restarts=cam.restarts)

    def _restart_camera(self, cam: _Camera, max_restarts: int, window: float) -> None:
        code = cam.process.exitcode
        now = time.monotonic()
        while cam.restart_times and now - cam.restart_times[0] > window:
            cam.restart_times.popleft()
        if len(cam.restart_times) >= max_restarts:
            cam.given_up = True
            reason = (
                f"worker died {len(cam.restart_times) + 1} times in {window:.0f}s; not restarting"
            )
            log.error("camera %s: %s", cam.camera_id, reason)
            with self._lock:
                cam.health = CameraHealth(
                    cam.camera_id, CameraState.OFFLINE, reason, restarts=cam.restarts
                )
            return
        cam.restart_times.append(now)
        cam.restarts += 1
        log.warning(
            "camera %s worker exited (code %s); restart #%d", cam.camera_id, code, cam.restarts
        )
        with self._lock:
            cam.health = CameraHealth(
                cam.camera_id,
                CameraState.STARTING,
                f"worker restarted after exit code {code}",
                restarts=cam.restarts,
            )
        self._start_camera(cam)

    # -- LiveView (read by the API) --------------------------------------------

    def camera_health(self) -> list[CameraHealth]:
        """Health of every configured camera, in config order."""
        with self._lock:
            out = []
            for camera_id, cfg in self.config.cameras.items():
                cam = self._cameras.get(camera_id)
                if cam is None or cam.health is None:
                    state = CameraState.DISABLED if not cfg.enabled else CameraState.STARTING
                    out.append(
                        CameraHealth(camera_id, state, "disabled" if not cfg.enabled else "")
                    )
                else:
                    out.append(cam.health)
            return out

    def camera_info(self) -> list[dict[str, Any]]:
        """Id, display name, site and analysed frame size of each camera."""
        with self._lock:
            return [
                {
                    "id": camera_id,
                    "name": cfg.name or camera_id,
                    "site": cfg.site,
                    "width": self._cameras[camera_id].size[0] if camera_id in self._cameras else 0,
                    "height": self._cameras[camera_id].size[1] if camera_id in self._cameras else 0,
                }
                for camera_id, cfg in self.config.cameras.items()
            ]

    def latest_jpeg(self, camera_id: str, redacted: bool = True) -> tuple[int, bytes] | None:
        """The newest annotated live frame of a camera (redacted unless asked), if any."""
        cam = self._cameras.get(camera_id)
        frame = None if cam is None else cam.live
        if frame is None:
            return None
        jpeg = self._redaction.redacted(camera_id, frame) if redacted else frame.jpeg
        return frame.seq, jpeg

    @contextlib.contextmanager
    def watch(self, camera_id: str) -> Iterator[None]:
        """While held, the camera renders live frames."""
        cam = self._cameras.get(camera_id)
        if cam is None:
            yield
            return
        with self._lock:  # the counter itself is lock-free shared memory
            cam.viewers.value += 1
        try:
            yield
        finally:
            with self._lock:
                cam.viewers.value -= 1

    def pids(self) -> dict[str, int]:
        """Process ids of the camera workers (for operations and tests)."""
        with self._lock:
            return {c.camera_id: c.process.pid for c in self._cameras.values() if c.process}

    def detector_stats(self) -> list[DetectorStats]:
        """Latest counters of each detector process."""
        return [d.latest for d in self._detectors if d.latest is not None]
