"""Messages from camera workers and detector processes, routed to their consumers.

Events, line counts, face probes, plate reads and recording segments go to their buses; health,
live frames and detector counters update the sender's record (read by the
live view). A pipe that breaks (a worker killed mid-write) is forgotten; the
worker's restart brings a new one.

The router remembers each camera's open events. When a worker dies,
:meth:`MessageRouter.worker_exited` reads what is left in its pipe and closes
the events it left open (``attrs.closed_reason``), so no event stays open for
ever.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from typing import cast

from kuzet.core.counts import LineCount
from kuzet.core.sightings import FaceProbe, PlateRead
from kuzet.core.types import Event, EventPhase
from kuzet.events.bus import Bus
from kuzet.record.segment import Segment
from kuzet.runtime.messages import (
    CountsMessage,
    DetectorStats,
    EventMessage,
    FaceProbesMessage,
    HealthMessage,
    LiveFrame,
    PlateReadsMessage,
    SegmentMessage,
)
from kuzet.runtime.processes import CameraProcess, DetectorProcess, Processes

log = logging.getLogger(__name__)

Sender = CameraProcess | DetectorProcess


class MessageRouter:
    """Reads every process's pipe and hands each message on.

    Args:
        procs: The running processes (their pipes and records).
        bus: Events.
        counts: Line count increments (the store's counts sink).

    Attributes:
        face_probes: Face probes from camera workers, for central watchlist matching.
        plate_reads: Plate reads from camera workers, for hotlist matching and storage.
        segments: Closed recording segments from camera workers, for the index.
    """

    def __init__(
        self, procs: Processes, bus: Bus[Event], counts: Bus[tuple[LineCount, ...]]
    ) -> None:
        self._procs = procs
        self.bus = bus
        self.counts = counts
        self.face_probes: Bus[FaceProbe] = Bus()
        self.plate_reads: Bus[PlateRead] = Bus()
        self._open: dict[str, dict[str, Event]] = {}  # camera -> event id -> latest update
        self._recv = threading.Lock()  # one reader of a pipe at a time
        self.segments: Bus[Segment] = Bus()

    def drain(self, timeout: float) -> None:
        """Route what arrives within ``timeout`` seconds (one wait on all pipes)."""
        procs = self._procs
        with procs.lock:
            sources: dict[Connection, Sender] = {
                c.out: c for c in procs.cameras.values() if c.out is not None
            }
            sources.update({d.stats: d for d in procs.detectors})
        for ready in wait(list(sources), timeout=timeout):
            conn = cast(Connection, ready)
            with self._recv:
                self._receive(sources[conn], conn)

    def _receive(self, owner: Sender, conn: Connection) -> bool:
        # One message from ``conn``; False when the pipe is finished.
        try:
            if conn.closed or not conn.poll():
                return False
            message = conn.recv()
        except (EOFError, OSError):
            self._forget(owner, conn)
            return False
        except Exception:  # a half-written message from a killed worker
            log.exception("bad message from %s", owner)
            self._forget(owner, conn)
            return False
        self.dispatch(owner, message)
        return True

    def worker_exited(self, camera_id: str, reason: str) -> None:
        """A camera worker died: route what it sent last, then close its open events.

        Args:
            camera_id: The camera.
            reason: Why (kept in each closed event's ``attrs.closed_reason``).
        """
        cam = self._procs.cameras[camera_id]
        with self._recv:
            conn = cam.out
            while conn is not None and self._receive(cam, conn):
                pass
            left = self._open.pop(camera_id, {})
        now = time.time()
        for event in left.values():
            ended = max(datetime.fromtimestamp(now, UTC), event.started_at)
            attrs = {**event.attrs, "closed_reason": reason}
            self.bus.publish(replace(event, phase=EventPhase.CLOSE, ended_at=ended, attrs=attrs))
        if left:
            log.warning("camera %s: closed %d event(s) its worker left open (%s)",
                        camera_id, len(left), reason)

    def _track(self, event: Event) -> None:
        open_events = self._open.setdefault(event.camera_id, {})
        if event.phase is EventPhase.CLOSE:
            open_events.pop(event.id, None)
        else:
            open_events[event.id] = event

    def _forget(self, owner: Sender, conn: Connection) -> None:
        with self._procs.lock:
            if isinstance(owner, CameraProcess) and owner.out is conn:
                owner.out = None

    def dispatch(self, owner: Sender | object, message: object) -> None:
        """Hand one message on (to a bus, or into the sender's record)."""
        if isinstance(message, EventMessage):
            self._track(message.event)
            self.bus.publish(message.event)
        elif isinstance(message, CountsMessage):
            self.counts.publish(message.counts)
        elif isinstance(message, FaceProbesMessage):
            for probe in message.probes:
                self.face_probes.publish(probe)
        elif isinstance(message, PlateReadsMessage):
            for read in message.reads:
                self.plate_reads.publish(read)
        elif isinstance(message, SegmentMessage):
            self.segments.publish(message.segment)
        elif isinstance(message, HealthMessage) and isinstance(owner, CameraProcess):
            with self._procs.lock:
                health = replace(message.health, restarts=owner.restarts)
                if health.last_frame_wall is None and owner.health is not None:
                    # a restarted worker has no frame yet: the last one is still the last
                    health = replace(health, last_frame_wall=owner.health.last_frame_wall)
                owner.health = health
                owner.size = (message.width, message.height)
        elif isinstance(message, LiveFrame) and isinstance(owner, CameraProcess):
            owner.live = message
        elif isinstance(message, DetectorStats) and isinstance(owner, DetectorProcess):
            owner.latest = message
