"""Test helpers: a fake :class:`LiveView` and a uvicorn server in a thread.

Used by the API and browser tests; handy for trying the console without cameras.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import uvicorn
from fastapi import FastAPI

from kuzet.api.live import DEFAULT_WATCH_FPS
from kuzet.config.api import ApiConfig
from kuzet.core.types import CameraHealth, CameraState
from kuzet.render.jpeg import encode_jpeg


def make_jpeg(width: int = 320, height: int = 180, text: str = "kuzet", seed: int = 0) -> bytes:
    """A real JPEG: a gradient with a box and ``text`` (distinct per ``seed``)."""
    x = np.linspace(0, 255, width, dtype=np.float32)
    image = np.zeros((height, width, 3), np.uint8)
    image[:] = np.stack([x * 0.3, x * 0.5 + seed % 50, np.full_like(x, 60)], axis=1).astype(
        np.uint8
    )
    cv2.rectangle(image, (width // 4, height // 4), (width // 2, height - 20), (60, 220, 60), 2)
    cv2.putText(image, text, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2)
    return encode_jpeg(image, 80)


FAKE_FACE_BOX = (64, 30, 112, 78)  # x1, y1, x2, y2 blurred in redacted fake frames


@dataclass
class FakeLiveView:
    """Cameras with fixed health; each ``latest_jpeg`` call yields a new frame.

    Attributes:
        health: Health per camera id (order = config order).
        frames: Whether cameras have produced a frame yet.
        watchers: Current ``watch`` holders per camera.
        watch_fps: The rate each ``watch`` of a camera asked for, in order.
    """

    health: dict[str, CameraHealth] = field(default_factory=dict)
    frames: bool = True
    watchers: dict[str, int] = field(default_factory=dict)
    watch_fps: dict[str, list[float]] = field(default_factory=dict)
    _seq: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def with_cameras(cls, *camera_ids: str) -> FakeLiveView:
        """Online cameras with the given ids."""
        now = time.time()
        return cls(
            {c: CameraHealth(c, CameraState.ONLINE, "", now, fps_in=10.0) for c in camera_ids}
        )

    def camera_health(self) -> list[CameraHealth]:
        """Health in camera order."""
        return list(self.health.values())

    def camera_info(self) -> list[dict[str, Any]]:
        """Id, name, site and a fixed 320x180 size."""
        return [
            {
                "id": c,
                "name": c.replace("-", " ").title(),
                "site": "HQ",
                "width": 320,
                "height": 180,
            }
            for c in self.health
        ]

    def latest_jpeg(self, camera_id: str, redacted: bool = True) -> tuple[int, bytes] | None:
        """A fresh frame per call, or None when ``frames`` is off or the camera is unknown.

        Redacted frames have ``FAKE_FACE_BOX`` blurred (a stand-in for a face).
        """
        if not self.frames or camera_id not in self.health:
            return None
        with self._lock:
            self._seq += 1
            seq = self._seq
        jpeg = make_jpeg(text=f"{camera_id} #{seq}", seed=seq)
        if redacted:
            from kuzet.privacy.redaction import Regions, redact_jpeg_regions

            box = np.array([FAKE_FACE_BOX], np.float32)
            jpeg = redact_jpeg_regions(jpeg, Regions.of("face", box), margin=0.0, quality=80)
        return seq, jpeg

    @contextlib.contextmanager
    def watch(self, camera_id: str, fps: float = DEFAULT_WATCH_FPS) -> Iterator[None]:
        """Count watchers while held (``watch_fps`` keeps the rate each asked for)."""
        with self._lock:
            self.watchers[camera_id] = self.watchers.get(camera_id, 0) + 1
            self.watch_fps.setdefault(camera_id, []).append(fps)
        try:
            yield
        finally:
            with self._lock:
                self.watchers[camera_id] -= 1


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_in_thread(
    app: FastAPI, host: str = "127.0.0.1", trusted_proxies: list[str] | None = None
) -> Iterator[str]:
    """Run ``app`` with uvicorn in a background thread; yields its base URL.

    Open streams are cut after one second on exit (``timeout_graceful_shutdown``).
    ``trusted_proxies`` is ``api.trusted_proxies`` (None: the config default).

    Raises:
        RuntimeError: If the server does not start within 10 seconds.
    """
    port = free_port(host)
    proxies = ApiConfig().trusted_proxies if trusted_proxies is None else trusted_proxies
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1,
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
