"""Live grid of 16 cameras in Chromium: JPEG polling (the console now) vs MJPEG per tile.

Usage::

    .venv/bin/python benchmarks/live_grid.py [--cameras 16] [--seconds 20] [--video PATH]

The API server runs in its own process (so its CPU is measured alone) with a live
view that replays real frames: the first 50 frames of vtest.avi (768x576), encoded
once as JPEG (quality 70, as the camera workers do), each camera advancing at
10 fps. Chromium signs in and shows the console's grid; the script prints, per
tile, requests/s, frames/s and bytes/s, the server's CPU (share of one core) and
how long another API request (``GET /api/cameras``) takes meanwhile. Then the same
for 16 ``<img src=live.mjpg>`` tiles (the console before): how many tiles ever show
a frame and whether the other request answers at all.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PASSWORD = "bench-password-1234"
FPS = 10.0
VIDEO = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


def serve(folder: Path, cameras: int, port: int, video: Path) -> None:
    """The API with a replaying live view (runs in the child process until killed)."""
    import av
    import numpy as np
    import uvicorn

    from kuzet.api import AppDeps, create_app
    from kuzet.api.testing import FakeLiveView
    from kuzet.core.roles import Role
    from kuzet.events.bus import Bus
    from kuzet.render.jpeg import encode_jpeg
    from kuzet.store import MediaStore, open_store

    with av.open(str(video)) as src:
        frames = []
        for frame in src.decode(video=0):
            frames.append(encode_jpeg(np.asarray(frame.to_ndarray(format="bgr24"), np.uint8), 70))
            if len(frames) == 50:
                break

    class Replay(FakeLiveView):
        def latest_jpeg(self, camera_id: str, redacted: bool = True) -> tuple[int, bytes] | None:
            seq = int(time.time() * FPS)
            return seq, frames[seq % len(frames)]

    store = open_store(None, folder)
    live = Replay.with_cameras(*[f"cam{i:02d}" for i in range(cameras)])
    deps = AppDeps(store, MediaStore(folder / "media"), Bus(), live)
    deps.auth.users.create("op", PASSWORD, Role.OPERATOR)
    uvicorn.run(create_app(deps), host="127.0.0.1", port=port, log_level="warning")


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _latencies(page: Any, count: int) -> list[float]:
    out = []
    for _ in range(count):
        took = page.evaluate(
            """async () => { const t = performance.now();
                 const c = new AbortController(); setTimeout(() => c.abort(), 5000);
                 try { const r = await fetch('/api/cameras', {signal: c.signal}); await r.json(); }
                 catch (e) { return -1; }
                 return performance.now() - t; }"""
        )
        out.append(float(took))
        time.sleep(0.5)
    return out


def grid(page: Any, url: str, pid: int, cameras: int, seconds: float) -> None:
    """The console's polled grid: per-tile rates, server CPU, other-request latency."""
    counts: dict[str, list[int]] = {}

    def seen(resp: Any) -> None:
        if "/live.jpg" in resp.url:
            cam = resp.url.split("/api/cameras/")[1].split("/")[0]
            size = int(resp.headers.get("content-length") or 0)
            counts.setdefault(cam, []).append(size)

    page.goto(url + "/")
    page.wait_for_url(f"{url}/login?next=%2F")
    page.fill('[data-testid="login-username"]', "op")
    page.fill('[data-testid="login-password"]', PASSWORD)
    page.click('[data-testid="login-submit"]')
    page.wait_for_url(f"{url}/")
    page.select_option('[data-testid="grid-size"]', "4")
    time.sleep(3)  # warm up
    page.on("response", seen)
    cpu0, t0 = _cpu_s(pid), time.monotonic()
    lat = _latencies(page, int(seconds / 0.5 / 1.05))
    elapsed = time.monotonic() - t0
    cpu = (_cpu_s(pid) - cpu0) / elapsed
    page.remove_listener("response", seen)
    shown = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="camera-tile"]:not([hidden]) img')]
                 .filter(i => i.naturalWidth > 0).length"""
    )
    reqs = [len(v) / elapsed for v in counts.values()]
    frames = [sum(1 for s in v if s) / elapsed for v in counts.values()]
    rate = [sum(v) / elapsed for v in counts.values()]
    ok = [x for x in lat if x >= 0]
    print(f"polled grid, {cameras} tiles, {elapsed:.0f} s: tiles showing frames {shown}/{cameras}")
    print(f"  per tile: {statistics.mean(reqs):.2f} requests/s, {statistics.mean(frames):.2f} "
          f"frames/s, {statistics.mean(rate) / 1024:.0f} KiB/s (min {min(rate) / 1024:.0f}, "
          f"max {max(rate) / 1024:.0f}); all tiles {sum(rate) / 1024:.0f} KiB/s")
    print(f"  server CPU {cpu:.3f} of a core ({cpu / cameras * 1000:.1f} ms/s per tile)")
    print(f"  GET /api/cameras meanwhile: median {statistics.median(ok):.0f} ms, "
          f"max {max(ok):.0f} ms, {len(lat) - len(ok)} of {len(lat)} timed out (5 s)")


def mjpeg(page: Any, url: str, pid: int, cameras: int) -> None:
    """The console before: one MJPEG connection per tile."""
    page.goto(url + "/healthz")
    page.evaluate(
        """n => { document.body.innerHTML = '';
                  for (let i = 0; i < n; i++) { const img = document.createElement('img');
                    const id = `cam${String(i).padStart(2, '0')}`;
                    img.width = 160; img.src = `/api/cameras/${id}/live.mjpg`;
                    document.body.append(img); } }""",
        cameras,
    )
    time.sleep(5)
    cpu0, t0 = _cpu_s(pid), time.monotonic()
    lat = _latencies(page, 6)
    cpu = (_cpu_s(pid) - cpu0) / (time.monotonic() - t0)
    shown = page.evaluate("() => [...document.images].filter(i => i.naturalWidth > 0).length")
    ok = [x for x in lat if x >= 0]
    print(f"MJPEG per tile, {cameras} tiles: tiles showing frames {shown}/{cameras}; "
          f"server CPU {cpu:.3f}; GET /api/cameras answered {len(ok)} of {len(lat)} "
          f"within 5 s" + (f" (median {statistics.median(ok):.0f} ms)" if ok else ""))


def main() -> None:
    """Run the server, then both grids in Chromium; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cameras", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--video", type=Path, default=VIDEO)
    parser.add_argument("--serve", nargs=2, metavar=("FOLDER", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), args.cameras, int(args.serve[1]), args.video)
        return
    from playwright.sync_api import sync_playwright

    from kuzet.api.testing import free_port

    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        cmd = [sys.executable, __file__, "--cameras", str(args.cameras), "--video",
               str(args.video), "--serve", folder, str(port)]
        server = subprocess.Popen(cmd)
        try:
            _wait_up(port)
            url = f"http://127.0.0.1:{port}"
            with sync_playwright() as pw:
                chromium = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                )
                page = chromium.new_page(viewport={"width": 1600, "height": 900})
                grid(page, url, server.pid, args.cameras, args.seconds)
                mjpeg(page, url, server.pid, args.cameras)
                chromium.close()
        finally:
            server.terminate()
            server.wait(10)


def _wait_up(port: int) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


if __name__ == "__main__":
    main()
