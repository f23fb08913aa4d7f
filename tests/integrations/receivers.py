"""A real webhook receiver on a loopback port: scripted answers, every request kept."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.integrations.signing import DELIVERY, verify

SECRET = "receiver-shared-secret-0123456789"


class FakeClock:
    """A clock that starts at the wall clock's now and moves only when told to."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        """Move forward ``seconds``."""
        self.now += timedelta(seconds=seconds)
        return self.now


def alert(event_id: str = "ev-1", camera_id: str = "gate", **overrides: Any) -> Event:
    """An alert-grade fight event (a high-priority alarm)."""
    values: dict[str, Any] = {
        "id": event_id, "camera_id": camera_id, "kind": EventKind.FIGHT, "rule_id": "fight",
        "phase": EventPhase.OPEN, "started_at": datetime.now(UTC), "severity": Severity.ALERT,
    }  # fmt: skip
    return Event(**(values | overrides))


@dataclass
class Received:
    """One request as the receiver saw it."""

    headers: dict[str, str]
    body: bytes
    status: int
    authentic: bool
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> Any:
        """The parsed body."""
        return json.loads(self.body)

    @property
    def delivery(self) -> str:
        """The delivery id header."""
        return self.headers[DELIVERY.lower()]


@dataclass
class Receiver:
    """Answers ``script`` in order (then 200); checks each signature with ``secret``."""

    url: str
    secret: str
    script: list[int] = field(default_factory=list)
    got: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        """The first ``count`` requests, waiting for them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.got) >= count:
                    return list(self.got)
            time.sleep(0.02)
        raise AssertionError(f"receiver got {len(self.got)} requests, wanted {count}")


def free_port() -> int:
    """A loopback port nothing listens on (just now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def receiver(script: list[int] | None = None, secret: str = SECRET) -> Iterator[Receiver]:
    """Serve a :class:`Receiver` on 127.0.0.1 until the block ends."""
    state = Receiver("", secret, list(script or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            authentic = verify(state.secret, headers, body, time.time())
            with state.lock:
                status = state.script.pop(0) if state.script else 200
                state.got.append(Received(headers, body, status, authentic))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
