"""Camera worker CPU with one live watcher, by the rate the watcher asks for.

Usage::

    .venv/bin/python benchmarks/live_watch_cpu.py [VIDEO] [--seconds 40]

Runs the real runtime (supervisor, detector and camera worker processes) on one
camera replaying VIDEO in real time (analysis at 640 px, 5 fps, ``api.live_fps``
5) and measures the camera worker's CPU (user + system, ``/proc``) over
``--seconds`` in each phase: nobody watching, one watcher at 2 fps (the polled
grid's rate, what a grid tile now costs) and one at 5 fps (what any watcher
cost before: workers rendered at ``api.live_fps`` whenever someone watched).
Also counts the live frames the worker sent.
"""

from __future__ import annotations

import argparse
import os
import time
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory

from kuzet.config.root import KuzetConfig
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.runtime.supervisor import Supervisor

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "video"
CAM = "cam"


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _phase(sup: Supervisor, fps: float | None, seconds: float) -> tuple[float, float]:
    """(share of a core, live frames a second) with one watcher at ``fps`` (None: none)."""
    with ExitStack() as stack:
        if fps is not None:
            stack.enter_context(sup.watch(CAM, fps))
        time.sleep(2.0)  # settle to the new rate
        pid = sup.pids()[CAM]
        seen: set[int] = set()
        cpu0, t0 = _cpu_s(pid), time.monotonic()
        while time.monotonic() - t0 < seconds:
            latest = sup.latest_jpeg(CAM, redacted=False)
            if latest is not None:
                seen.add(latest[0])
            time.sleep(0.02)
        elapsed = time.monotonic() - t0
        return (_cpu_s(pid) - cpu0) / elapsed, max(len(seen) - 1, 0) / elapsed


def main() -> None:
    """Print the worker's CPU per phase."""
    parser = argparse.ArgumentParser()
    parser.add_argument("video", nargs="?", type=Path, default=SHARED / "vtest.avi")
    parser.add_argument("--seconds", type=float, default=40.0)
    args = parser.parse_args()
    config = KuzetConfig.model_validate({
        "api": {"live_fps": 5},
        "detect": {"fps": 5, "width": 640},
        "cameras": {CAM: {"source": {"url": str(args.video), "loop": True, "pace": "realtime"}}},
    })
    with TemporaryDirectory() as tmp:
        sup = Supervisor(config, Path(tmp) / "media", Bus[Event]())
        sup.start()
        try:
            while not any(h.state.value == "online" for h in sup.camera_health()):
                time.sleep(0.5)
            time.sleep(5.0)  # models loaded, steady state
            print(f"load average {os.getloadavg()[0]:.1f}; {args.seconds:g} s a phase")
            for label, fps in (("no watcher", None), ("1 watcher at 2 fps (grid, now)", 2.0),
                               ("1 watcher at 5 fps (any watcher, before)", 5.0)):
                share, rate = _phase(sup, fps, args.seconds)
                print(f"{label:42s} worker CPU {share:.3f} of a core, {rate:.1f} live frames/s")
        finally:
            sup.stop()


if __name__ == "__main__":
    main()
