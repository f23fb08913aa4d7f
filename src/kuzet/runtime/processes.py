"""The embedded runtime's processes: start, restart within limits, stop.

Detector processes start first, then camera workers. A camera worker that dies
is restarted with fresh pipes (at most ``max_restarts`` times within
``restart_window`` seconds) while the other cameras run on; a dead detector
process is restarted together with the cameras it served. A camera that used up
its restarts is not abandoned: it is tried again ``retry_given_up_after`` seconds
later, with the wait doubling (up to 16x) while it keeps failing. Before a dead
worker is replaced, ``on_exit`` is told (the router reads what the worker sent
last and closes its open events). A worker that exits cleanly has played a file
without ``loop`` to its end and is not restarted.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kuzet.config.detect import ModelConfig
from kuzet.config.root import KuzetConfig
from kuzet.core.types import CameraHealth, CameraState
from kuzet.detect import DetectorInfo, detector_info
from kuzet.runtime.camera_worker import CameraWorkerArgs, camera_main
from kuzet.runtime.detector_plan import plan_detectors
from kuzet.runtime.detector_service import DetectorWorkerArgs, detector_main
from kuzet.runtime.messages import AttachCamera, DetectorStats, LiveFrame
from kuzet.runtime.stop_flag import StopFlag

log = logging.getLogger(__name__)
_ctx = mp.get_context("spawn")


@dataclass
class DetectorProcess:
    """One detector process, its pipes and its latest counters."""

    index: int
    model: ModelConfig
    info: DetectorInfo  # the model's facts: its cameras filter and plan by them
    process: Any
    control: Connection
    stats: Connection
    latest: DetectorStats | None = None


@dataclass
class CameraProcess:
    """One camera worker, its pipe and what the supervisor knows of it."""

    camera_id: str
    detector: int
    live_rate: Any  # shared float: live frames a second its watchers ask for (0: none)
    process: Any = None
    out: Connection | None = None
    stop: Any = None
    health: CameraHealth | None = None
    size: tuple[int, int] = (0, 0)
    live: LiveFrame | None = None
    restarts: int = 0
    restart_times: deque[float] = field(default_factory=deque)
    given_up: bool = False
    retry_at: float = 0.0  # monotonic time a given-up camera is tried again
    retry_wait: float = 0.0  # the current wait between such tries
    finished: bool = False  # a file without `loop` ran to its end


class Processes:
    """Detector processes and camera workers of one config.

    Args:
        config: The whole config.
        media_root: Media folder the camera workers store snapshots in.
        state_dir: Where rules keep state across restarts (baselines).

    Attributes:
        lock: Guards the records' mutable fields (shared with the router and live view).
        on_exit: Called with (camera id, reason) when a worker died, before it is
            restarted or given up (the supervisor sets it to the router's
            ``worker_exited``).
    """

    def __init__(self, config: KuzetConfig, media_root: Path, state_dir: Path | None) -> None:
        self.config = config
        self.media_root = media_root
        self.state_dir = state_dir
        self.lock = threading.RLock()
        self.detectors: list[DetectorProcess] = []
        self.cameras: dict[str, CameraProcess] = {}
        self.on_exit: Callable[[str, str], None] = lambda camera_id, reason: None

    def start(self, enabled: list[str]) -> None:
        """Start the detector processes, then a worker for each enabled camera."""
        models, assigned = plan_detectors(self.config, enabled)
        for index, model in enumerate(models):
            self.detectors.append(self._start_detector(index, model))
        for camera_id in enabled:
            cam = CameraProcess(camera_id, assigned[camera_id], _ctx.Value("d", 0.0, lock=False))
            self.cameras[camera_id] = cam
            self._start_camera(cam)

    def check(self, stopping: threading.Event) -> None:
        """One watchdog pass: restart dead detectors and cameras, note finished files."""
        rt = self.config.runtime
        for det in list(self.detectors):
            if not det.process.is_alive() and not stopping.is_set():
                log.error("detector %d died (exit %s); restarting", det.index, det.process.exitcode)
                self.detectors[det.index] = self._start_detector(det.index, det.model)
                for cam in self.cameras.values():
                    if cam.detector == det.index and cam.process is not None:
                        cam.process.kill()
        for cam in list(self.cameras.values()):
            if stopping.is_set():
                return
            if cam.given_up:
                if not cam.finished and time.monotonic() >= cam.retry_at:
                    self._retry_given_up(cam)
                continue
            if cam.process is None or cam.process.is_alive():
                if cam.retry_wait and time.monotonic() > cam.retry_at + rt.restart_window:
                    cam.retry_wait = 0.0  # it has run a whole window since the last retry
                continue
            if cam.process.exitcode == 0:  # a file without `loop` ran to its end
                self._finished(cam)
                continue
            self.on_exit(cam.camera_id, f"camera worker exited (code {cam.process.exitcode})")
            self._restart_camera(cam, rt.max_restarts, rt.restart_window)

    def stop_cameras(self, timeout: float) -> None:
        """Ask every camera to stop (they close open events) and wait up to ``timeout``."""
        with self.lock:
            cameras = list(self.cameras.values())
        for cam in cameras:
            if cam.stop is not None:
                cam.stop.set()
        deadline = time.monotonic() + timeout
        for cam in cameras:
            if cam.process is not None:
                cam.process.join(max(0.1, deadline - time.monotonic()))

    def terminate(self) -> None:
        """Terminate cameras still alive, then stop the detector processes."""
        with self.lock:
            cameras = list(self.cameras.values())
        for cam in cameras:
            if cam.process is not None and cam.process.is_alive():
                cam.process.terminate()
        for det in self.detectors:
            with contextlib.suppress(OSError, ValueError):
                det.control.send(None)
            det.process.join(2.0)
            if det.process.is_alive():
                det.process.terminate()

    def _start_detector(self, index: int, model: ModelConfig) -> DetectorProcess:
        rt = self.config.runtime
        info = detector_info(model)  # cheap: no inference session in this process
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
        return DetectorProcess(index, model, info, process, control, stats)

    def _start_camera(self, cam: CameraProcess) -> None:
        args = CameraWorkerArgs(
            camera_id=cam.camera_id,
            camera=self.config.cameras[cam.camera_id],
            events=self.config.events,
            media_root=str(self.media_root),
            detector=self.detectors[cam.detector].info,
            live_fps=self.config.api.live_fps,
            restarts=cam.restarts,
            state_dir=None if self.state_dir is None else str(self.state_dir),
            privacy=self.config.privacy,
            media_floor_bytes=int(self.config.store.floor_free_mb * 2**20),
            store=self.config.store,
        )
        out, out_child = _ctx.Pipe(duplex=False)
        det_camera_side, det_detector_side = _ctx.Pipe(duplex=True)
        stop = StopFlag(_ctx)
        process = _ctx.Process(
            target=camera_main,
            args=(args, out_child, det_camera_side, cam.live_rate, stop),
            name=f"kuzet-camera-{cam.camera_id}",
            daemon=True,
        )
        process.start()
        out_child.close()
        det_camera_side.close()
        self.detectors[cam.detector].control.send(AttachCamera(cam.camera_id, det_detector_side))
        det_detector_side.close()
        with self.lock:
            cam.process, cam.out, cam.stop = process, out, stop
            if cam.health is None:
                cam.health = CameraHealth(cam.camera_id, CameraState.STARTING, "starting")

    def _finished(self, cam: CameraProcess) -> None:
        # Nothing to restart (replaying the file would repeat its events), and no
        # signal was lost: the signal-loss watch stops watching it.
        cam.given_up = cam.finished = True
        reason = "the video file ended (source.loop is false)"
        log.info("camera %s: %s", cam.camera_id, reason)
        with self.lock:
            last = cam.health.last_frame_wall if cam.health is not None else None
            cam.health = CameraHealth(cam.camera_id, CameraState.OFFLINE, reason, last,
                                      restarts=cam.restarts)

    def _restart_camera(self, cam: CameraProcess, max_restarts: int, window: float) -> None:
        code = cam.process.exitcode
        now = time.monotonic()
        while cam.restart_times and now - cam.restart_times[0] > window:
            cam.restart_times.popleft()
        if len(cam.restart_times) >= max_restarts:
            first = self.config.runtime.retry_given_up_after
            cam.retry_wait = min(max(cam.retry_wait * 2, first), 16 * first)
            cam.given_up, cam.retry_at = True, now + cam.retry_wait
            reason = (
                f"worker died {len(cam.restart_times) + 1} times in {window:.0f}s; "
                f"trying again in {cam.retry_wait:.0f}s"
            )
            log.error("camera %s: %s", cam.camera_id, reason)
            self._set_health(cam, CameraState.OFFLINE, reason)
            return
        cam.restart_times.append(now)
        cam.restarts += 1
        log.warning(
            "camera %s worker exited (code %s); restart #%d", cam.camera_id, code, cam.restarts
        )
        self._set_health(cam, CameraState.STARTING, f"worker restarted after exit code {code}")
        self._start_camera(cam)

    def _retry_given_up(self, cam: CameraProcess) -> None:
        log.warning("camera %s: trying the given-up camera again", cam.camera_id)
        cam.given_up = False
        cam.restart_times.clear()
        cam.restarts += 1
        self._set_health(cam, CameraState.STARTING, "worker retried after giving up")
        self._start_camera(cam)

    def _set_health(self, cam: CameraProcess, state: CameraState, reason: str) -> None:
        # The last frame's time survives the restart: signal loss counts from it.
        with self.lock:
            last = cam.health.last_frame_wall if cam.health is not None else None
            cam.health = CameraHealth(cam.camera_id, state, reason, last, restarts=cam.restarts)
