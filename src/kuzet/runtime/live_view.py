"""The live-view protocol (``api.live.LiveView``) over the running processes.

Health and frame size per camera, the newest annotated live frame (redacted
unless the caller may see it unmasked), the live rate each camera renders at
(the highest rate any current watcher asks for, 0 while nobody watches: the
worker then renders nothing), and process counters.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

from kuzet.api.live import DEFAULT_WATCH_FPS
from kuzet.config.root import KuzetConfig
from kuzet.core.types import CameraHealth, CameraState
from kuzet.runtime.live_redaction import SharedRedaction
from kuzet.runtime.messages import DetectorStats
from kuzet.runtime.processes import Processes


class LiveFeed:
    """What the API and console see of the cameras.

    Args:
        config: The whole config (cameras in config order, names, sites).
        procs: The running processes.
        redaction: Shared redacted copies of the newest live frames.
    """

    def __init__(self, config: KuzetConfig, procs: Processes, redaction: SharedRedaction) -> None:
        self.config = config
        self._procs = procs
        self._redaction = redaction
        self._rates: dict[str, Counter[float]] = {}  # per camera: rates of its watches

    def camera_health(self) -> list[CameraHealth]:
        """Health of every configured camera, in config order."""
        procs = self._procs
        with procs.lock:
            out = []
            for camera_id, cfg in self.config.cameras.items():
                cam = procs.cameras.get(camera_id)
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
        cameras = self._procs.cameras
        with self._procs.lock:
            return [
                {
                    "id": camera_id,
                    "name": cfg.name or camera_id,
                    "site": cfg.site,
                    "width": cameras[camera_id].size[0] if camera_id in cameras else 0,
                    "height": cameras[camera_id].size[1] if camera_id in cameras else 0,
                }
                for camera_id, cfg in self.config.cameras.items()
            ]

    def latest_jpeg(self, camera_id: str, redacted: bool = True) -> tuple[int, bytes] | None:
        """The newest annotated live frame of a camera (redacted unless asked), if any."""
        cam = self._procs.cameras.get(camera_id)
        frame = None if cam is None else cam.live
        if frame is None:
            return None
        jpeg = self._redaction.redacted(camera_id, frame) if redacted else frame.jpeg
        return frame.seq, jpeg

    @contextlib.contextmanager
    def watch(self, camera_id: str, fps: float = DEFAULT_WATCH_FPS) -> Iterator[None]:
        """While held, the camera renders live frames at ``fps`` (or the higher rate
        of another watch); when the last watch ends it renders none."""
        cam = self._procs.cameras.get(camera_id)
        if cam is None:
            yield
            return
        with self._procs.lock:  # the shared value itself is lock-free shared memory
            rates = self._rates.setdefault(camera_id, Counter())
            rates[fps] += 1
            cam.live_rate.value = max(rates)
        try:
            yield
        finally:
            with self._procs.lock:
                rates[fps] -= 1
                if rates[fps] <= 0:
                    del rates[fps]
                cam.live_rate.value = max(rates, default=0.0)

    def pids(self) -> dict[str, int]:
        """Process ids of the camera workers (for operations and tests)."""
        with self._procs.lock:
            return {c.camera_id: c.process.pid for c in self._procs.cameras.values() if c.process}

    def detector_stats(self) -> list[DetectorStats]:
        """Latest counters of each detector process."""
        return [d.latest for d in self._procs.detectors if d.latest is not None]
