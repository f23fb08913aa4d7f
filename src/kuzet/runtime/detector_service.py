"""Detector processes shared by all cameras.

Each detector process owns one ONNX Runtime session and serves the cameras
attached to it. Requests from all its cameras go into one bounded queue, oldest
first; when it overflows the oldest request is dropped, and requests older than
``stale_after`` seconds are dropped instead of analysed (a late answer is worse
than none for a live camera). Every drop is answered, so no camera waits, and
counted.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from kuzet.config.detect import DetectConfig
from kuzet.core.types import Detections, FloatArray, Image
from kuzet.detect.base import DetectorInfo
from kuzet.runtime.messages import AttachCamera, DetectorStats, DetectReply, DetectRequest

log = logging.getLogger(__name__)

STATS_EVERY_S = 2.0


@dataclass(frozen=True)
class DetectorWorkerArgs:
    """Everything a detector process needs (pickled to the child)."""

    worker: int
    detect: DetectConfig
    threads: int
    models_dir: str | None
    queue_size: int
    stale_after: float = 1.5


class _Counters:
    def __init__(self) -> None:
        self.processed = 0
        self.dropped_stale = 0
        self.dropped_full = 0
        self.busy_s = 0.0


def _reply(conn: Connection, reply: DetectReply) -> bool:
    try:
        conn.send(reply)
        return True
    except (OSError, ValueError):  # camera worker gone; its pipe is replaced on restart
        return False


def _read_requests(
    ready: list[Connection],
    cameras: dict[Connection, str],
    pending: deque[tuple[Connection, DetectRequest]],
) -> None:
    for conn in ready:
        try:
            request = conn.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            log.info("camera %s disconnected from the detector", cameras.pop(conn, "?"))
            continue
        pending.append((conn, request))


def detector_main(args: DetectorWorkerArgs, control: Connection, stats: Connection) -> None:
    """Entry point of a detector process; returns when ``None`` arrives on ``control``."""
    from kuzet.detect import load_object_detector

    detector = load_object_detector(
        args.detect.model, threads=args.threads, models_dir=args.models_dir
    )
    cameras: dict[Connection, str] = {}
    pending: deque[tuple[Connection, DetectRequest]] = deque()
    counters = _Counters()
    last_stats = time.monotonic()
    while True:
        ready = wait([control, *cameras], timeout=0 if pending else 0.5)
        if control in ready:
            message = control.recv()
            if message is None:
                return
            _attach(cameras, message)
        requests = [c for c in ready if c is not control and isinstance(c, Connection)]
        _read_requests(requests, cameras, pending)
        while len(pending) > args.queue_size:
            conn, old = pending.popleft()
            counters.dropped_full += 1
            _reply(conn, DetectReply(old.request_id, None, "queue full"))
        if pending:
            _serve_one(detector, pending.popleft(), args.stale_after, counters)
        if time.monotonic() - last_stats >= STATS_EVERY_S:
            last_stats = time.monotonic()
            stats.send(_stats(args.worker, counters))


def _attach(cameras: dict[Connection, str], message: AttachCamera) -> None:
    for conn, camera_id in list(cameras.items()):
        if camera_id == message.camera_id:
            del cameras[conn]
            conn.close()
    cameras[message.conn] = message.camera_id


def _serve_one(
    detector: object,
    item: tuple[Connection, DetectRequest],
    stale_after: float,
    counters: _Counters,
) -> None:
    conn, request = item
    if time.monotonic() - request.sent_at > stale_after:
        counters.dropped_stale += 1
        _reply(conn, DetectReply(request.request_id, None, "stale"))
        return
    started = time.perf_counter()
    detections = detector.detect(request.image, request.regions)  # type: ignore[attr-defined]
    counters.busy_s += time.perf_counter() - started
    counters.processed += 1
    _reply(conn, DetectReply(request.request_id, detections))


def _stats(worker: int, c: _Counters) -> DetectorStats:
    mean_ms = 1000 * c.busy_s / c.processed if c.processed else 0.0
    return DetectorStats(worker, c.processed, c.dropped_stale, c.dropped_full, mean_ms)


class RemoteDetector:
    """The camera side of the detector pipe: a ``FrameDetector`` for ``CameraPipeline``.

    Waits at most ``timeout`` seconds for the reply; on time-out or a drop the
    frame is reported unanalysed (None) and counted.

    Args:
        conn: This camera's pipe to its detector process.
        info: The facts of the model that process runs.
        timeout: Seconds to wait for a reply.
    """

    def __init__(self, conn: Connection, info: DetectorInfo, timeout: float = 3.0) -> None:
        self._conn = conn
        self.info = info
        self._timeout = timeout
        self._next_id = 0
        self.drops = 0

    def detect(self, image: Image, regions: FloatArray | None = None) -> Detections | None:
        """Send one request and wait for its reply; None when dropped or late."""
        self._next_id += 1
        request_id = self._next_id
        self._conn.send(DetectRequest(request_id, time.monotonic(), image, regions))
        deadline = time.monotonic() + self._timeout
        while (left := deadline - time.monotonic()) > 0:
            if not self._conn.poll(left):
                break
            reply: DetectReply = self._conn.recv()
            if reply.request_id != request_id:
                continue  # a late answer to an earlier, abandoned request
            if reply.detections is None:
                self.drops += 1
            return reply.detections
        self.drops += 1
        return None
