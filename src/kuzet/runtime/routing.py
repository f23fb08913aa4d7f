"""Messages from camera workers and detector processes, routed to their consumers.

Events, line counts, face probes and plate reads go to their buses; health,
live frames and detector counters update the sender's record (read by the
live view). A pipe that breaks (a worker killed mid-write) is forgotten; the
worker's restart brings a new one.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from multiprocessing.connection import Connection, wait
from typing import cast

from kuzet.core.counts import LineCount
from kuzet.core.sightings import FaceProbe, PlateRead
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.runtime.messages import (
    CountsMessage,
    DetectorStats,
    EventMessage,
    FaceProbesMessage,
    HealthMessage,
    LiveFrame,
    PlateReadsMessage,
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
    """

    def __init__(
        self, procs: Processes, bus: Bus[Event], counts: Bus[tuple[LineCount, ...]]
    ) -> None:
        self._procs = procs
        self.bus = bus
        self.counts = counts
        self.face_probes: Bus[FaceProbe] = Bus()
        self.plate_reads: Bus[PlateRead] = Bus()

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
            owner = sources[conn]
            try:
                message = conn.recv()
            except (EOFError, OSError):
                self._forget(owner, conn)
                continue
            except Exception:  # a half-written message from a killed worker
                log.exception("bad message from %s", owner)
                self._forget(owner, conn)
                continue
            self.dispatch(owner, message)

    def _forget(self, owner: Sender, conn: Connection) -> None:
        with self._procs.lock:
            if isinstance(owner, CameraProcess) and owner.out is conn:
                owner.out = None

    def dispatch(self, owner: Sender | object, message: object) -> None:
        """Hand one message on (to a bus, or into the sender's record)."""
        if isinstance(message, EventMessage):
            self.bus.publish(message.event)
        elif isinstance(message, CountsMessage):
            self.counts.publish(message.counts)
        elif isinstance(message, FaceProbesMessage):
            for probe in message.probes:
                self.face_probes.publish(probe)
        elif isinstance(message, PlateReadsMessage):
            for read in message.reads:
                self.plate_reads.publish(read)
        elif isinstance(message, HealthMessage) and isinstance(owner, CameraProcess):
            with self._procs.lock:
                owner.health = replace(message.health, restarts=owner.restarts)
                owner.size = (message.width, message.height)
        elif isinstance(message, LiveFrame) and isinstance(owner, CameraProcess):
            owner.live = message
        elif isinstance(message, DetectorStats) and isinstance(owner, DetectorProcess):
            owner.latest = message
