"""Recording in the running system: real camera processes record, segments reach the index
through the supervisor, the quota deletes oldest unheld segments while the camera stays
online, a camera whose recordings folder is unwritable is degraded (not stopped), and a
worker killed mid-segment leaves nothing unplayable after the next start-up."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import av
import pytest

from kuzet.config.merge import merge_camera_sections
from kuzet.config.root import KuzetConfig
from kuzet.core.types import CameraHealth, CameraState, Event, EventKind, EventPhase
from kuzet.privacy.legal_hold import set_hold
from kuzet.record.segment import PARTIAL
from kuzet.runtime.system import EmbeddedSystem


def _wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _config(video: Path, quota_gb: float) -> KuzetConfig:
    source = {"url": str(video), "loop": True, "pace": "realtime"}
    return KuzetConfig.model_validate(merge_camera_sections({
        "timezone": "UTC",
        "detect": {"fps": 2, "width": 320},
        "record": {"enabled": True, "segment_s": 2, "pre_s": 0, "post_s": 0, "days": None,
                   "quota_gb": quota_gb},
        "cameras": {"rec": {"source": source}, "ro": {"source": source}},
    }))


def _health(system: EmbeddedSystem) -> dict[str, CameraHealth]:
    return {h.camera_id: h for h in system.supervisor.camera_health()}


def _decodes(path: Path) -> int:
    with av.open(str(path)) as src:
        return sum(1 for _ in src.decode(video=0))


@pytest.mark.usefixtures("nanodet_installed")
def test_recording_quota_health_and_kill(h264_video: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "recordings").mkdir(parents=True)
    (media / "recordings" / "ro").write_text("a file where camera ro's folder should be")
    system = EmbeddedSystem(_config(h264_video, quota_gb=0.0006), tmp_path)  # ~3 segments
    index = system.segments
    system.start()
    try:
        _wait_for(lambda: len(index.between("rec", *_all())) >= 5, 60, "5 segments of rec")
        first = index.oldest(1, camera_id="rec")[0]
        held = Event("ev-held", "rec", EventKind.LOITERING, "r", EventPhase.CLOSE,
                     first.start + timedelta(seconds=0.5), ended_at=first.end)
        system.store.events.upsert(held)
        set_hold(system.store.engine, "ev-held", held=True, by="analyst", reason="case 7")
        report = system.record_retention.job.run()
        left = index.between("rec", *_all())
        assert report.removed["quota"] >= 2 and report.held >= 1
        assert left[0].key == first.key  # the held one stays, the next oldest went
        assert index.total_size() <= 0.0006e9 + first.size
        health = _health(system)
        assert health["rec"].state is CameraState.ONLINE and health["rec"].recording == "recording"
        ro = health["ro"]
        assert ro.state is CameraState.DEGRADED and ro.recording.startswith("error:"), ro
        assert ro.last_frame_wall and time.time() - ro.last_frame_wall < 5  # analysis runs on
        _wait_for(lambda: bool(list(media.glob(f"recordings/rec/*/{PARTIAL}*"))), 10, "partial")
        os.kill(system.supervisor.pids()["rec"], signal.SIGKILL)
    finally:
        system.stop()
    again = EmbeddedSystem(_config(h264_video, quota_gb=1.0), tmp_path)  # start-up repair
    try:
        assert list(media.glob(f"recordings/*/*/{PARTIAL}*")) == []
        for segment in again.segments.between("rec", *_all()):
            assert _decodes(media / segment.key) > 0
    finally:
        again.stop()


def _all() -> tuple[object, object]:
    from datetime import UTC, datetime

    return datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
