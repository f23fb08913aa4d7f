"""Typed messages between the supervisor, camera workers and detector processes.

Each camera has its own pipes (one writer per pipe), so a camera worker that is
killed mid-write can only corrupt its own channel, which the supervisor replaces
when it restarts the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.connection import Connection

from kuzet.core.counts import LineCount
from kuzet.core.sightings import FaceProbe, PlateRead
from kuzet.core.types import CameraHealth, Detections, Event, FloatArray, Image
from kuzet.privacy.redaction import Regions
from kuzet.record.segment import Segment


@dataclass(frozen=True, slots=True)
class DetectRequest:
    """Camera -> detector: scan these regions of this image (None = full frame)."""

    request_id: int
    sent_at: float  # time.monotonic() in the sender; same clock on one machine
    image: Image
    regions: FloatArray | None


@dataclass(frozen=True, slots=True)
class DetectReply:
    """Detector -> camera: detections, or ``dropped`` with a reason."""

    request_id: int
    detections: Detections | None
    dropped: str = ""


@dataclass(frozen=True, slots=True)
class AttachCamera:
    """Supervisor -> detector: serve this camera over ``conn`` (replaces an old one)."""

    camera_id: str
    conn: Connection


@dataclass(frozen=True, slots=True)
class EventMessage:
    """Camera -> supervisor: an event lifecycle step."""

    event: Event


@dataclass(frozen=True, slots=True)
class CountsMessage:
    """Camera -> supervisor: line count increments (per minute, class, direction)."""

    counts: tuple[LineCount, ...]


@dataclass(frozen=True, slots=True)
class FaceProbesMessage:
    """Camera -> supervisor: face probes of person tracks (matched centrally)."""

    probes: tuple[FaceProbe, ...]


@dataclass(frozen=True, slots=True)
class PlateReadsMessage:
    """Camera -> supervisor: voted plate reads of vehicle tracks (matched centrally)."""

    reads: tuple[PlateRead, ...]


@dataclass(frozen=True, slots=True)
class SegmentMessage:
    """Camera -> supervisor: a recording segment was closed (index it)."""

    segment: Segment


@dataclass(frozen=True, slots=True)
class HealthMessage:
    """Camera -> supervisor: health snapshot plus the analysed frame size."""

    health: CameraHealth
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class LiveFrame:
    """Camera -> supervisor: an annotated live JPEG (sent only while someone watches).

    ``regions`` are the faces, heads and plates to blur for viewers without the
    unmask privilege, in JPEG pixels; None means they could not be computed (the
    supervisor then blurs the whole frame for them).
    """

    camera_id: str
    seq: int
    jpeg: bytes
    regions: Regions | None = None


@dataclass(frozen=True, slots=True)
class DetectorStats:
    """Detector -> supervisor: counters."""

    worker: int
    processed: int
    dropped_stale: int
    dropped_full: int
    mean_ms: float
