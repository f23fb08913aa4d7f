"""A real PostgreSQL server for the test run, on loopback, stopped by PID at the end.

The server runs from Debian's binaries (installed by `make test`'s set-up) in a
temporary folder. PostgreSQL refuses to run as root, so under root it runs as the
``postgres`` user via ``runuser``. Each test gets its own database, made from the
migrated template, so tests never see each other's rows.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from servers import alive

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    for path in PG_BIN_DIRS:
        if (path / "initdb").is_file():
            return path
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="kuzet-pg-"))
        self.port = _free_port()
        self.pid: int | None = None

    @property
    def base_url(self) -> str:
        """SQLAlchemy URL without a database name."""
        return f"postgresql+psycopg://kuzet@127.0.0.1:{self.port}"

    def start(self) -> None:
        """initdb, then start the server and wait until it takes connections."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        data = self.root / "data"
        subprocess.run(
            _as_server_user([str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U",
                             "kuzet", "-E", "UTF8", "--no-sync"]),
            check=True, capture_output=True, timeout=120,
        )
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200 -c shared_buffers=64MB")
        subprocess.run(
            _as_server_user([str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                             str(self.root / "server.log"), "-w", "-t", "60", "start"]),
            check=True, capture_output=True, timeout=90,
        )
        self.pid = int((data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        """Stop the server by its PID (fast shutdown), then remove its folder."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, 2)  # SIGINT: fast shutdown
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and alive(self.pid):
                time.sleep(0.1)
            if alive(self.pid):
                os.kill(self.pid, 9)
            self.pid = None
        shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, template: str | None = None) -> str:
        """A new empty (or ``template``-copied) database; its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=kuzet dbname=postgres",
                             autocommit=True) as conn:
            suffix = f" TEMPLATE {template}" if template else ""
            conn.execute(f"CREATE DATABASE {name}{suffix}")
        return f"{self.base_url}/{name}"


def running_server() -> Iterator[PostgresServer]:
    """Start a server for the session (fails loudly if PostgreSQL is not installed)."""
    bin_dir = pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: run `make test` (it installs it)")
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
