"""Endless streams over a real server: SSE receives bus events, MJPEG sends frames."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
from api_factories import make_event

from kuzet.api import AppDeps
from kuzet.api.streams import MJPEG_BOUNDARY, ClientQueue
from kuzet.core.types import EventPhase

TIMEOUT = httpx.Timeout(5.0)


def _sse_messages(lines: object) -> object:
    """Yield (event, data) pairs from an iterator of SSE lines."""
    name, data = None, None
    for line in lines:  # type: ignore[attr-defined]
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
        elif line == "" and name is not None:
            yield name, data
            name, data = None, None


def test_sse_receives_published_events(
    server: str, deps: AppDeps, auth_headers: dict[str, str]
) -> None:
    with httpx.stream(
        "GET", f"{server}/api/events/stream", timeout=TIMEOUT, headers=auth_headers
    ) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        assert "no-cache" in resp.headers["cache-control"]
        messages = _sse_messages(resp.iter_lines())
        assert next(messages)[0] == "ready"  # type: ignore[call-overload]
        threading.Thread(target=deps.bus.publish, args=(make_event(),)).start()
        name, data = next(messages)  # type: ignore[call-overload]
        assert name == "open" and data["id"] == "ev-1" and data["kind"] == "zone_presence"
        deps.bus.publish(make_event(phase=EventPhase.CLOSE))
        name, data = next(messages)  # type: ignore[call-overload]
        assert name == "close" and data["status"] == "closed"


def test_sse_heartbeat(server: str, auth_headers: dict[str, str]) -> None:
    with httpx.stream(
        "GET", f"{server}/api/events/stream", timeout=TIMEOUT, headers=auth_headers
    ) as resp:
        for line in resp.iter_lines():
            if line.startswith(": heartbeat"):
                break


def test_mjpeg_sends_multipart_jpegs(
    server: str, deps: AppDeps, auth_headers: dict[str, str]
) -> None:
    url = f"{server}/api/cameras/gate/live.mjpg"
    with httpx.stream("GET", url, timeout=TIMEOUT, headers=auth_headers) as resp:
        assert resp.headers["content-type"] == (
            f"multipart/x-mixed-replace; boundary={MJPEG_BOUNDARY}"
        )
        assert "no-store" in resp.headers["cache-control"]
        buf = b""
        watching = []
        for chunk in resp.iter_bytes():  # leaving this loop closes the connection
            buf += chunk
            watching.append(deps.live.watchers["gate"])  # type: ignore[attr-defined]
            if buf.count(b"\xff\xd9") >= 2:
                break
        assert set(watching) == {1}
        assert deps.live.watch_fps["gate"] == [deps.api.live_fps]  # type: ignore[attr-defined]
    parts = buf.split(f"--{MJPEG_BOUNDARY}\r\n".encode())[1:]
    head, body = parts[0].split(b"\r\n\r\n", 1)
    assert b"Content-Type: image/jpeg" in head
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    assert body[:2] == b"\xff\xd8" and body[length - 2 : length] == b"\xff\xd9"


def test_mjpeg_releases_watch_on_disconnect(
    server: str, deps: AppDeps, auth_headers: dict[str, str]
) -> None:
    with httpx.stream(
        "GET", f"{server}/api/cameras/gate/live.mjpg", timeout=TIMEOUT, headers=auth_headers
    ) as resp:
        next(resp.iter_bytes())
    deadline = time.monotonic() + 5
    while deps.live.watchers["gate"] and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.05)
    assert deps.live.watchers["gate"] == 0  # type: ignore[attr-defined]


def test_slow_client_queue_drops_oldest() -> None:
    async def scenario() -> tuple[list[str], int]:
        queue = ClientQueue(asyncio.get_running_loop(), size=3)
        for i in range(5):
            queue.push_threadsafe(make_event(id=f"e{i}"))
        await asyncio.sleep(0)
        got = []
        while (event := await queue.get(timeout=0.05)) is not None:
            got.append(event.id)
        return got, queue.dropped

    assert asyncio.run(scenario()) == (["e2", "e3", "e4"], 2)
