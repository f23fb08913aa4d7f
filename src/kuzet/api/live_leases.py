"""Watch leases for polled live frames: a camera renders while someone polls it.

A streamed view holds ``LiveView.watch`` for as long as its connection lasts. A
polled view (the grid's JPEG snapshots) has no connection to hold, so each poll
renews a lease that keeps the camera's watch open for ``LEASE_S`` seconds more;
a sweeper thread, alive only while leases exist, releases the expired ones.
"""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager

from kuzet.api.live import LiveView

LEASE_S = 5.0
SWEEP_S = 1.0
POLL_FPS = 2.0  # the console grid polls each tile every 0.5 s: no need to render faster


class WatchLeases:
    """Per-camera watch leases renewed by polls.

    Args:
        live: The live view whose cameras are watched.
        lease_s: Seconds a poll keeps its camera rendering.
        fps: The rate a leased camera renders at (the pollers' rate).

    Example:
        >>> leases = WatchLeases(live)  # doctest: +SKIP
        >>> leases.touch("gate")  # the camera renders for LEASE_S seconds more  # doctest: +SKIP
    """

    def __init__(self, live: LiveView, lease_s: float = LEASE_S, fps: float = POLL_FPS) -> None:
        self._live = live
        self._lease_s = lease_s
        self._fps = fps
        self._held: dict[str, tuple[AbstractContextManager[None], float]] = {}
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None

    def touch(self, camera_id: str) -> None:
        """Keep ``camera_id`` rendering (at ``fps``) for ``lease_s`` seconds from now."""
        until = time.monotonic() + self._lease_s
        with self._lock:
            held = self._held.get(camera_id)
            if held is None:
                watch = self._live.watch(camera_id, self._fps)
                watch.__enter__()
                held = (watch, until)
            self._held[camera_id] = (held[0], until)
            if self._sweeper is None:
                self._sweeper = threading.Thread(
                    target=self._sweep, name="live-leases", daemon=True
                )
                self._sweeper.start()

    def held(self) -> list[str]:
        """Cameras under a lease now."""
        with self._lock:
            return sorted(self._held)

    def release_expired(self, now: float | None = None) -> int:
        """Release leases that ran out; returns how many are left."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for camera_id, (watch, until) in list(self._held.items()):
                if until <= now:
                    del self._held[camera_id]
                    watch.__exit__(None, None, None)
            return len(self._held)

    def close(self) -> None:
        """Release every lease now."""
        self.release_expired(float("inf"))

    def _sweep(self) -> None:
        while True:
            time.sleep(SWEEP_S)
            with self._lock:
                if not self._held:  # nothing left: the next touch starts a new sweeper
                    self._sweeper = None
                    return
            self.release_expired()
