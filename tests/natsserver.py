"""A real NATS server with JetStream for the test run, on loopback, stopped by PID.

The server is Debian's ``nats-server`` (installed by `make test`'s set-up). It keeps
its JetStream store in a temporary folder that is removed when it stops. (The
module is not called ``nats.py``: that would shadow the client library.)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from servers import alive


def nats_server_bin() -> str | None:
    """Path of the ``nats-server`` executable, or None."""
    return shutil.which("nats-server") or (
        "/usr/sbin/nats-server" if os.access("/usr/sbin/nats-server", os.X_OK) else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NatsServer:
    """One nats-server with JetStream in a temporary folder, on 127.0.0.1 only."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="kuzet-nats-"))
        self.port = _free_port()
        self.pid: int | None = None

    @property
    def url(self) -> str:
        """The client URL."""
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait until JetStream is ready."""
        log = self.root / "server.log"
        proc = subprocess.Popen(  # noqa: S603 - fixed arguments
            [self.binary, "-a", "127.0.0.1", "-p", str(self.port), "-js",
             "-sd", str(self.root / "js"), "-l", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.pid = proc.pid
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"nats-server exited: {log.read_text(errors='replace')}")
            if log.is_file() and "Server is ready" in log.read_text(errors="replace"):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("nats-server did not become ready within 30 s")

    def stop(self) -> None:
        """Stop the server by its PID (SIGTERM, then SIGKILL), then remove its folder."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, 15)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):
                    if os.waitpid(self.pid, os.WNOHANG)[0]:
                        break
                if not alive(self.pid):
                    break
                time.sleep(0.05)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, 9)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(self.pid, 0)
            self.pid = None
        shutil.rmtree(self.root, ignore_errors=True)


def running_server() -> Iterator[NatsServer]:
    """Start a server for the session (fails loudly if nats-server is not installed)."""
    binary = nats_server_bin()
    if binary is None:
        raise RuntimeError("nats-server is not installed: run `make test` (it installs it)")
    server = NatsServer(binary)
    try:
        server.start()
        yield server
    finally:
        server.stop()
