"""Camera health: the state a camera reports to the API and console (re-exported by types)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CameraState(enum.StrEnum):
    """Health of a camera source."""

    STARTING = "starting"
    ONLINE = "online"
    DEGRADED = "degraded"
    OFFLINE = "offline"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class CameraHealth:
    """A camera's health snapshot, as reported to the API and console.

    Attributes:
        camera_id: Camera name.
        state: online / degraded / offline / ...
        reason: Human-readable cause of the state (e.g. the last open error).
        last_frame_wall: Wall-clock UNIX time of the last decoded frame, or None.
        reconnects: Reconnect attempts since start.
        fps_in: Decoded frames per second (recent).
        fps_analysed: Frames analysed per second (recent).
        detect_drops: Detection requests dropped (queue full or stale).
        restarts: Times the camera's worker process was restarted.
        recording: "" (not recording), "recording", "idle" or "error: <why>".
    """

    camera_id: str
    state: CameraState
    reason: str = ""
    last_frame_wall: float | None = None
    reconnects: int = 0
    fps_in: float = 0.0
    fps_analysed: float = 0.0
    detect_drops: int = 0
    restarts: int = 0
    recording: str = ""
