"""What the API needs from the running cameras (implemented by the runtime)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from kuzet.core.types import CameraHealth


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

    def watch(self, camera_id: str) -> AbstractContextManager[None]:
        """While held, the camera renders live JPEGs (idle cameras skip the encoding)."""
        ...
