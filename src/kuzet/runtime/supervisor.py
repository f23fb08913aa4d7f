"""The embedded runtime: processes, message routing, live view and signal loss, composed.

Each job lives in its own module: ``processes`` (start, restart within limits,
stop), ``routing`` (worker messages to buses and records), ``live_view`` (the
API's ``LiveView``) and ``signal_loss`` (signal-loss events raised here, since
a camera without frames cannot raise them). ``Supervisor`` starts them in
order (detectors, cameras, then the collector and watchdog threads) and stops
them in reverse.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

from kuzet.api.live import DEFAULT_WATCH_FPS
from kuzet.config.root import KuzetConfig
from kuzet.core.counts import LineCount
from kuzet.core.sightings import FaceProbe, PlateRead
from kuzet.core.types import CameraHealth, CameraState, Event
from kuzet.events.bus import Bus
from kuzet.record.segment import Segment
from kuzet.runtime.live_redaction import SharedRedaction
from kuzet.runtime.live_view import LiveFeed
from kuzet.runtime.messages import DetectorStats
from kuzet.runtime.processes import Processes
from kuzet.runtime.routing import MessageRouter
from kuzet.runtime.signal_loss import SignalLossWatch


class Supervisor:
    """The embedded runtime; also the API's ``LiveView``.

    Args:
        config: The whole config.
        media_root: Media folder for snapshots.
        bus: Events from every camera (and signal-loss events).
        counts: Line count increments (a new bus when None).
        state_dir: Where rules keep state across restarts (baselines).
    """

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
        self.state_dir = state_dir
        self._procs = Processes(config, media_root, state_dir)
        self.router = MessageRouter(self._procs, bus, counts if counts is not None else Bus())
        self._procs.on_exit = self.router.worker_exited
        # "" while the store and disk are fine, else why cameras report degraded
        self.storage_status: Callable[[], str] = lambda: ""
        self.live = LiveFeed(config, self._procs, SharedRedaction(config.privacy.margin))
        self._signal = SignalLossWatch(bus)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def counts(self) -> Bus[tuple[LineCount, ...]]:
        """Line count increments from the camera workers."""
        return self.router.counts

    @property
    def face_probes(self) -> Bus[FaceProbe]:
        """Face probes from the camera workers, for central watchlist matching."""
        return self.router.face_probes

    @property
    def plate_reads(self) -> Bus[PlateRead]:
        """Plate reads from the camera workers, for hotlist matching and storage."""
        return self.router.plate_reads

    @property
    def segments(self) -> Bus[Segment]:
        """Closed recording segments from the camera workers, for the index."""
        return self.router.segments

    def start(self) -> None:
        """Start detectors, cameras, then the collector and watchdog threads."""
        enabled = [cid for cid, cam in self.config.cameras.items() if cam.enabled]
        now = time.time()
        for camera_id in enabled:
            self._signal.add(camera_id, self.config.cameras[camera_id], now)
        self._procs.start(enabled)
        for target in (self._collect, self._watch):
            thread = threading.Thread(target=target, name=target.__name__, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop cameras (they close open events), then detectors."""
        self._stopping.set()
        self._procs.stop_cameras(timeout)
        self.router.drain(0.3)  # the cameras' last events
        self._procs.terminate()
        for camera_id in self._procs.cameras:  # what a worker that did not stop left open
            self.router.worker_exited(camera_id, "runtime stopped")
        for thread in self._threads:
            thread.join(2.0)
        # Signal-loss events are the supervisor's own: close them, as cameras close theirs.
        self._signal.close_all(time.time())

    def _collect(self) -> None:
        while not self._stopping.is_set():
            self.router.drain(0.5)

    def _watch(self) -> None:
        while not self._stopping.wait(0.5):
            self._signal.check(self._camera_state, time.time())
            self._procs.check(self._stopping)

    def _camera_state(self, camera_id: str) -> tuple[CameraHealth | None, bool]:
        cam = self._procs.cameras[camera_id]
        with self._procs.lock:
            return cam.health, cam.finished

    # -- LiveView (read by the API) --------------------------------------------

    def camera_health(self) -> list[CameraHealth]:
        """Health of every configured camera, in config order.

        While the store or the disk is in trouble (``storage_status``), cameras
        that are online report ``degraded`` with that reason.
        """
        health = self.live.camera_health()
        trouble = self.storage_status()
        if not trouble:
            return health
        return [
            replace(h, state=CameraState.DEGRADED, reason=trouble)
            if h.state is CameraState.ONLINE else h
            for h in health
        ]

    def camera_info(self) -> list[dict[str, Any]]:
        """Id, display name, site and analysed frame size of each camera."""
        return self.live.camera_info()

    def latest_jpeg(self, camera_id: str, redacted: bool = True) -> tuple[int, bytes] | None:
        """The newest annotated live frame of a camera (redacted unless asked), if any."""
        return self.live.latest_jpeg(camera_id, redacted)

    def watch(
        self, camera_id: str, fps: float = DEFAULT_WATCH_FPS
    ) -> AbstractContextManager[None]:
        """While held, the camera renders live frames at ``fps`` (the highest asked)."""
        return self.live.watch(camera_id, fps)

    def pids(self) -> dict[str, int]:
        """Process ids of the camera workers (for operations and tests)."""
        return self.live.pids()

    def detector_pids(self) -> list[int]:
        """Process ids of the detector processes (for operations and tests)."""
        with self._procs.lock:
            return [d.process.pid for d in self._procs.detectors]

    def detector_stats(self) -> list[DetectorStats]:
        """Latest counters of each detector process."""
        return self.live.detector_stats()

