"""Sample bus messages (one per topic) and a wait helper, shared by the bus tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kuzet.core.counts import Direction, LineCount
from kuzet.core.health import CameraHealth, CameraState
from kuzet.core.sightings import PlateRead, PlateScene
from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity
from kuzet.events.transport import COUNTS, EVENTS, HEALTH, PLATE_READS, Topic

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EVENT = Event(
    id="ev-1", camera_id="gate", kind=EventKind.ZONE_PRESENCE, rule_id="gate-zone",
    phase=EventPhase.OPEN, started_at=T0, severity=Severity.ALERT, track_ids=(3, 4),
    labels=("person",), attrs={"zone": "gate", "count": 2, "nested": {"a": [1, 2]}},
    evidence=Evidence(snapshot_key="snapshots/gate/ev-1.jpg", snapshot_sha256="ab",
                      clip_start=T0),
    frame_ts=12.5, frame_wall=1772366400.25,
)
HEALTH_MSG = CameraHealth("gate", CameraState.DEGRADED, reason="slow", last_frame_wall=None,
                          fps_in=12.5, detect_drops=3)
COUNT_BATCH = (LineCount("gate", "road", T0, "car", Direction.IN, 3),
               LineCount("gate", "road", T0, "bus", Direction.OUT, 1))
PLATE = PlateRead("gate", 7, 3.5, 1772366400.5, "123ABC01", 0.93, "KZ", "car",
                  (1.0, 2.0, 30.0, 12.0), b"\xff\xd8jpeg", True,
                  PlateScene(b"\xff\xd8scene", (1.0, 2.0, 3.0, 4.0), (0.0, 0.0, 9.0, 9.0)),
                  "KZ current", 5, "dec-1")
SAMPLES: list[tuple[Topic[Any], Any]] = [
    (EVENTS, EVENT), (HEALTH, HEALTH_MSG), (COUNTS, COUNT_BATCH), (PLATE_READS, PLATE)]


def wait_for(done: Callable[[], bool], timeout: float = 10.0,
             what: Callable[[], str] = lambda: "") -> None:
    """Poll ``done`` until it holds (fails the test after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out {what()}"
        time.sleep(0.02)
