"""What the API needs from the running cameras (implemented by the runtime)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from kuzet.core.types import CameraHealth

# The rate of a watch that does not say (the console's MJPEG view asks for api.live_fps).
DEFAULT_WATCH_FPS = 5.0


class LiveView(Protocol):
    """Live state of the cameras, as seen by the API and console.

    The runtime's supervisor implements it; tests use a small fake.
    """

    def camera_health(self) -> list[CameraHealth]:
        """Health of every configured camera, in config order."""
        ...

    def camera_info(self) -> list[dict[str, Any]]:
        """Per camera: ``id``, ``name``, ``site``, ``width``, ``height`` (0 before a frame)."""
        ...

    def latest_jpeg(self, camera_id: str, redacted: bool = True) -> tuple[int, bytes] | None:
        """``(sequence number, annotated JPEG)`` of the newest live frame; None until one exists.

        ``redacted`` (the default) blurs faces, heads and plates; only callers that
        checked the viewer's unmask grant pass False.
        """
        ...

    def watch(
        self, camera_id: str, fps: float = DEFAULT_WATCH_FPS
    ) -> AbstractContextManager[None]:
        """While held, the camera renders live JPEGs at ``fps`` frames a second (the
        highest rate of its current watches; unwatched cameras render nothing)."""
        ...
