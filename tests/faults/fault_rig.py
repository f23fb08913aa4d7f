"""The fault-injection rig: a real ``EmbeddedSystem`` on a clip that raises events.

The clip alternates a textured scene with a black screen every few seconds, so
the camera's ``camera_tamper/occlusion`` rule opens and closes an event about
every 6 s without depending on what the detector finds. Every event published
on the system's bus is recorded; after the fault, the system is stopped and the
database is opened afresh to compare what was published with what was stored.
Each test adds a row to the fault table printed at the end of the session.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from kuzet.config.root import KuzetConfig
from kuzet.core.types import CameraState, Event, EventPhase
from kuzet.runtime.system import EmbeddedSystem
from kuzet.store import EventQuery, open_store

CAMERA = "cam"
ROWS: list[tuple[str, int | str, int, float, str]] = []  # "-": not observable


def write_clip(path: Path, seconds: int = 12, fps: int = 10) -> Path:
    """Textured 3 s, black 3 s, repeated; 320x240 MPEG-4 (or MPEG-TS by suffix)."""
    rng = np.random.default_rng(7)
    texture = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(seconds * fps):
            dark = (i // (3 * fps)) % 2 == 1
            image = np.zeros_like(texture) if dark else texture
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def fault_config(url: str, **sections: Any) -> KuzetConfig:
    """One camera on ``url`` with the occlusion rule; ``sections`` override top-level keys."""
    data: dict[str, Any] = {
        "detect": {"fps": 1, "width": 320},
        "runtime": {"retry_given_up_after": 2, "max_restarts": 3, "restart_window": 60},
        "store": {"purge_below_free_mb": 0, "floor_free_mb": 0, "space_check_every": 1},
        "cameras": {CAMERA: {
            "source": {"url": url, "loop": True, "pace": "realtime", "timeout": 2,
                       "reconnect_initial": 0.2, "reconnect_max": 1},
            "rules": [{"id": "dark", "kind": "camera_tamper", "tamper": "occlusion",
                       "min_duration": 0.5, "close_after": 0.5, "learn_s": 1, "cooldown": 0},
                      {"id": "lost", "kind": "camera_tamper", "tamper": "signal_loss",
                       "signal_loss_after": 5}],
        }},
    }  # fmt: skip
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value}
    return KuzetConfig.model_validate(data)


@dataclass
class Recorder:
    """Every event update published on the bus: id -> latest update."""

    latest: dict[str, Event] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    updates: int = 0

    def __call__(self, event: Event) -> None:
        with self.lock:
            self.latest[event.id] = event
            self.updates += 1

    def open_ids(self) -> set[str]:
        with self.lock:
            return {i for i, e in self.latest.items() if e.phase is not EventPhase.CLOSE}

    def snapshot(self) -> dict[str, Event]:
        with self.lock:
            return dict(self.latest)


@dataclass
class Rig:
    """A running system, what it published, and helpers to wait on it."""

    system: EmbeddedSystem
    data_dir: Path
    published: Recorder
    stopped: bool = False

    def wait(self, check: Callable[[], bool], timeout: float, what: str) -> float:
        """Poll ``check`` until true; returns seconds waited."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if check():
                return time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}")

    def health(self) -> Any:
        return {h.camera_id: h for h in self.system.supervisor.camera_health()}[CAMERA]

    def online(self) -> bool:
        return bool(self.health().state is CameraState.ONLINE)

    def wait_open_event(self, timeout: float = 60) -> str:
        self.wait(lambda: bool(self.published.open_ids()), timeout, "an open event")
        return sorted(self.published.open_ids())[0]

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.system.stop()

    def verify(self, fault: str, recovery_s: float) -> None:
        """Stop; every published event is stored by id, closed, in its last phase."""
        self.stop()
        published = self.published.snapshot()
        store = open_store(None, self.data_dir)
        try:
            stored = {e.id: e for e in store.events.list(EventQuery(limit=500)).items}
        finally:
            store.close()
        ROWS.append((fault, len(published), len(set(published) & set(stored)), recovery_s,
                     f"{sum(e.status == 'open' for e in stored.values())} open"))
        missing = set(published) - set(stored)
        assert not missing, f"{fault}: published but not stored: {sorted(missing)}"
        still_open = [e.id for e in stored.values() if e.status != "closed"]
        assert not still_open, f"{fault}: events left open: {still_open}"
        for event_id, event in published.items():
            assert event.phase is EventPhase.CLOSE, f"{fault}: {event_id} never closed"
            if event.attrs.get("tamper") == "signal_loss":  # finding 8: 5 s of real silence
                assert event.attrs["since_frame_s"] >= 5.0, event.attrs
            assert stored[event_id].ended_at is not None
            assert stored[event_id].ended_at >= stored[event_id].started_at  # type: ignore[operator]
