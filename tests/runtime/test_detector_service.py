"""The shared detector process's queue: answers, drops stale requests, counts."""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from kuzet.config.detect import DetectConfig
from kuzet.detect.nanodet import NANODET_INFO
from kuzet.runtime.detector_service import DetectorWorkerArgs, RemoteDetector, detector_main
from kuzet.runtime.messages import AttachCamera, DetectorStats, DetectReply, DetectRequest

pytestmark = pytest.mark.models


@pytest.fixture
def service(nanodet_installed: Path):  # type: ignore[no-untyped-def]
    control_child, control = mp.Pipe(duplex=False)
    stats, stats_child = mp.Pipe(duplex=False)
    args = DetectorWorkerArgs(worker=0, detect=DetectConfig(), threads=1, models_dir=None,
                              queue_size=2, stale_after=0.5)
    thread = threading.Thread(target=detector_main, args=(args, control_child, stats_child))
    thread.start()
    yield control, stats
    control.send(None)
    thread.join(10)


def _attach(control, camera_id: str):  # type: ignore[no-untyped-def]
    camera_side, detector_side = mp.Pipe(duplex=True)
    control.send(AttachCamera(camera_id, detector_side))
    return camera_side


def test_requests_are_answered_and_stale_ones_dropped(service, sample_video: Path) -> None:  # type: ignore[no-untyped-def]
    control, stats = service
    cam = _attach(control, "cam")
    image = np.zeros((480, 640, 3), np.uint8)
    remote = RemoteDetector(cam, NANODET_INFO, timeout=10)
    assert remote.detect(image, None) is not None  # a fresh request is analysed
    # a request that waited longer than stale_after is answered "stale", not analysed
    cam.send(DetectRequest(99, time.monotonic() - 5, image, None))
    reply: DetectReply = cam.recv()
    assert reply.request_id == 99 and reply.detections is None and reply.dropped == "stale"
    counters: DetectorStats = stats.recv()  # sent every 2 s
    assert counters.processed >= 1 and counters.dropped_stale == 1


def test_overflow_drops_the_oldest_and_answers_it(service) -> None:  # type: ignore[no-untyped-def]
    control, _ = service
    cams = [_attach(control, f"cam{i}") for i in range(6)]
    time.sleep(0.2)
    # small images fit in the pipe buffers, so all requests are waiting at once
    image = np.zeros((32, 32, 3), np.uint8)
    for i, cam in enumerate(cams):  # more requests at once than the queue holds (2)
        cam.send(DetectRequest(i, time.monotonic(), image, None))
    replies = [cam.recv() for cam in cams if cam.poll(10)]
    assert len(replies) == len(cams), "every request gets an answer"
    dropped = [r for r in replies if r.dropped == "queue full"]
    assert dropped and all(r.detections is None for r in dropped), [r.dropped for r in replies]
