"""Faults injected into a running system: nothing lost, nothing left open, cameras back.

Each test runs the real embedded system (camera and detector processes, SQLite
file database, outbox) and checks, after the fault and a clean stop, that every
event published on the bus is stored by id, closed, with ``ended_at`` not
before ``started_at`` (issue 14, findings 5, 6 and 8).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fault_rig import CAMERA, Rig, fault_config, write_clip

from kuzet.core.types import CameraState, EventPhase

pytestmark = [pytest.mark.faults, pytest.mark.models]
MakeRig = Callable[..., Rig]


def _closed_with_reason(rig: Rig, event_id: str) -> bool:
    event = rig.published.snapshot().get(event_id)
    return event is not None and event.phase is EventPhase.CLOSE


def test_killed_worker_mid_event(make_rig: MakeRig, clip: Path, tmp_path: Path) -> None:
    rig = make_rig(fault_config(str(clip)), tmp_path / "data")
    seen = set(rig.published.snapshot())

    def fresh() -> list[str]:  # the worker's own (not signal loss), opened after `seen`
        latest = rig.published.snapshot()
        return sorted(i for i in rig.published.open_ids() - seen
                      if latest[i].attrs.get("tamper") == "occlusion")

    # A fresh event (it stays open ~3 s), so the worker cannot close it before the kill.
    rig.wait(lambda: bool(fresh()), 60, "a new open event")
    event_id = fresh()[0]
    pid = rig.system.supervisor.pids()[CAMERA]
    killed, killed_wall = time.monotonic(), time.time()
    os.kill(pid, signal.SIGKILL)
    rig.wait(lambda: _closed_with_reason(rig, event_id), 10, "the orphaned event closed")
    closed = rig.published.snapshot()[event_id]
    assert "worker exited" in closed.attrs["closed_reason"]
    rig.wait(lambda: rig.system.supervisor.pids()[CAMERA] != pid and rig.online(), 60,
             "the camera back online")
    recovery = time.monotonic() - killed
    rig.wait_open_event()  # the new worker raises events again
    rig.verify("kill camera worker mid-event", recovery)
    if recovery < 4.5:  # a restart shorter than signal_loss_after is no signal loss
        lost = [e for e in rig.published.snapshot().values()
                if e.attrs.get("tamper") == "signal_loss"
                and e.started_at.timestamp() >= killed_wall]
        assert not lost, "finding 8: a worker restart raised signal loss at once"


def test_killed_detector(make_rig: MakeRig, clip: Path, tmp_path: Path) -> None:
    rig = make_rig(fault_config(str(clip)), tmp_path / "data")
    rig.wait_open_event()
    pid = rig.system.supervisor.detector_pids()[0]
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    rig.wait(lambda: rig.system.supervisor.detector_pids()[0] != pid, 10, "a new detector")
    rig.wait(lambda: rig.online() and rig.health().restarts >= 1, 90, "the camera back")
    recovery = time.monotonic() - killed
    rig.wait_open_event()
    rig.verify("kill detector process", recovery)


def _hold_lock(db: Path, seconds: float, started: threading.Event) -> None:
    # An exclusive transaction on the live file: every other writer gets "locked".
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    started.set()
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


def _store_fault(rig: Rig, fault: Callable[[], None], seconds: float) -> tuple[int, float]:
    """Run ``fault`` while events flow; returns (updates published meanwhile, drain time)."""
    before = rig.published.updates
    thread = threading.Thread(target=fault, daemon=True)
    thread.start()
    rig.wait(lambda: "store unavailable" in rig.health().reason, seconds,
             "the degraded state reported")
    assert rig.health().state is CameraState.DEGRADED
    thread.join()
    lifted = time.monotonic()
    outbox = rig.system.writes.outbox
    rig.wait(lambda: outbox.state().pending == 0 and not outbox.state().degraded, 30,
             "the outbox drained")
    return rig.published.updates - before, time.monotonic() - lifted


def test_database_locked(make_rig: MakeRig, clip: Path, tmp_path: Path) -> None:
    rig = make_rig(fault_config(str(clip)), tmp_path / "data")
    rig.wait_open_event()
    started = threading.Event()
    seconds = 14.0
    during, drained = _store_fault(
        rig, lambda: _hold_lock(tmp_path / "data" / "kuzet.db", seconds, started), seconds
    )
    assert during >= 2, "the live push (bus) must not stall while the store is locked"
    rig.wait(rig.online, 10, "the camera healthy again")
    rig.verify(f"database locked {seconds:.0f} s", drained)


def test_database_read_only(make_rig: MakeRig, clip: Path, tmp_path: Path) -> None:
    rig = make_rig(fault_config(str(clip)), tmp_path / "data")
    rig.wait_open_event()
    engine = rig.system.store.engine
    read_only = [True]

    def on_checkout(dbapi_conn: object, _record: object, _proxy: object) -> None:
        # Real SQLite refuses every write: "attempt to write a readonly database".
        dbapi_conn.execute(f"PRAGMA query_only={int(read_only[0])}")  # type: ignore[attr-defined]

    seconds = 14.0
    sa.event.listen(engine, "checkout", on_checkout)
    try:
        during, drained = _store_fault(
            rig, lambda: (time.sleep(seconds), read_only.__setitem__(0, False)), seconds
        )
    finally:
        read_only[0] = False
    assert during >= 2, "the live push (bus) must not stall while the store is read-only"
    rig.wait(rig.online, 10, "the camera healthy again")
    rig.verify(f"database read-only {seconds:.0f} s", drained)
    sa.event.remove(engine, "checkout", on_checkout)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MB tmpfs (needs root; the suite's CI job runs as root)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(path: Path, leave_mb: float) -> None:
    """Write zeros to ``path`` until about ``leave_mb`` MB are free (0 = until ENOSPC)."""
    chunk = b"\0" * 2**20
    with path.open("ab") as handle:
        while shutil.disk_usage(path.parent).free - len(chunk) >= leave_mb * 2**20:
            try:
                handle.write(chunk)
                handle.flush()
            except OSError:  # the disk is full
                return


def _old_snapshots(media: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = media / "snapshots" / CAMERA / "2020" / "01" / "01" / f"old{i:02d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(2**20))
        os.utime(path, (1_577_836_800 + i, 1_577_836_800 + i))
        paths.append(path)
    return paths


def test_disk_full(make_rig: MakeRig, clip: Path, small_disk: Path) -> None:
    data = small_disk / "data"
    olds = _old_snapshots(data / "media", 6)
    store = {"purge_below_free_mb": 16, "floor_free_mb": 8, "space_check_every": 0.5}
    rig = make_rig(fault_config(str(clip), store=store), data)
    pid = rig.system.supervisor.pids()[CAMERA]
    _fill(small_disk / "filler", leave_mb=12)  # below the high mark: the oldest are purged
    rig.wait(lambda: not olds[0].exists(), 10, "the oldest snapshots purged")
    _fill(small_disk / "filler2", leave_mb=4)  # below the floor, media paused
    rig.wait(lambda: "floor" in rig.health().reason, 10, "the floor reported")
    rig.wait_open_event()  # analysis and events go on
    _fill(small_disk / "filler3", leave_mb=0)  # nothing left at all for a few seconds
    time.sleep(6)
    freed = time.monotonic()
    for name in ("filler", "filler2", "filler3"):
        (small_disk / name).unlink()
    rig.wait(rig.online, 30, "the camera healthy after space is freed")
    recovery = time.monotonic() - freed
    assert rig.system.supervisor.pids()[CAMERA] == pid, "no worker crash on ENOSPC"
    rig.wait_open_event()
    rig.verify("disk full (48 MB tmpfs)", recovery)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _serve(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_stream_dropped_and_restored(make_rig: MakeRig, tmp_path: Path) -> None:
    folder = tmp_path / "www"
    folder.mkdir()
    write_clip(folder / "live.ts")
    server = _serve(folder, 0)
    port = server.server_address[1]
    rig = make_rig(fault_config(f"http://127.0.0.1:{port}/live.ts"), tmp_path / "data")
    server.shutdown()
    server.server_close()
    rig.wait(lambda: rig.health().state is not CameraState.ONLINE, 30, "the stream seen lost")
    time.sleep(5)
    restored = time.monotonic()
    server = _serve(folder, port)
    try:
        rig.wait(rig.online, 30, "the camera back on the restored stream")
        recovery = time.monotonic() - restored
        rig.verify("HTTP stream dropped 5 s", recovery)
    finally:
        server.shutdown()
        server.server_close()


def test_a_given_up_camera_is_retried_and_comes_back(
    make_rig: MakeRig, clip: Path, tmp_path: Path
) -> None:
    # Issue 14 finding 5: after max_restarts the camera stayed offline for good.
    runtime = {"max_restarts": 1, "restart_window": 60, "retry_given_up_after": 3}
    rig = make_rig(fault_config(str(clip), runtime=runtime), tmp_path / "data")
    sup = rig.system.supervisor
    first = sup.pids()[CAMERA]
    os.kill(first, signal.SIGKILL)  # restart 1 of 1
    rig.wait(lambda: sup.pids()[CAMERA] != first and rig.online(), 60, "the first restart")
    second = sup.pids()[CAMERA]
    os.kill(second, signal.SIGKILL)  # over the limit: given up ...
    rig.wait(lambda: "trying again" in rig.health().reason, 10, "the camera given up")
    given_up = time.monotonic()
    rig.wait(lambda: sup.pids()[CAMERA] != second and rig.online(), 60, "... and retried")
    recovery = time.monotonic() - given_up
    assert recovery >= 2.5, "retried after retry_given_up_after, not at once"
    rig.verify("camera given up, retried later", recovery)
