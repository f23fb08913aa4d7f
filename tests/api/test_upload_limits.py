"""Upload bodies are capped while they are read (issue 14, finding 10: "every decoder
of user input needs limits"). Before, FastAPI spooled the whole multipart body, of
any size, before the route checked the photo's 10 MiB: 100 MiB sent meant 100 MiB
read. A real server and a raw socket, so the client sees when the answer comes.
"""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from api_factories import bearer

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import serve_in_thread
from kuzet.api.uploads import MAX_UPLOAD_BYTES

MiB = 1024 * 1024
BOUNDARY = "kuzetboundary"
PART = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n"
        "Content-Type: image/png\r\n\r\n").encode()


@pytest.fixture
def served(deps: AppDeps) -> Iterator[tuple[str, int, str]]:
    with serve_in_thread(create_app(deps)) as url:
        parts = urlsplit(url)
        yield str(parts.hostname), int(parts.port or 80), bearer(deps)["Authorization"]


def _head(auth: str, length: str) -> bytes:
    return (f"POST /api/faces/search HTTP/1.1\r\nHost: test\r\nAuthorization: {auth}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{length}\r\n").encode()


def _answer(sock: socket.socket) -> tuple[int, dict[str, object]]:
    data = b""
    while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < 10:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    text = body.decode(errors="replace")
    start = text.find("{")
    return status, json.loads(text[start : text.rfind("}") + 1])


def _refusal(detail: object) -> str:
    assert isinstance(detail, list)
    [problem] = detail
    assert problem["loc"] == ["body", "photo"]
    return str(problem["msg"])


def test_a_declared_length_over_the_cap_is_refused_before_reading(
    served: tuple[str, int, str],
) -> None:
    host, port, auth = served
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(_head(auth, f"Content-Length: {1024 * MiB}\r\n"))  # and no body at all
        status, body = _answer(sock)
    assert status == 413
    assert f"the upload is {1024 * MiB} bytes; the limit is {MAX_UPLOAD_BYTES}" in _refusal(
        body["detail"])


def test_a_chunked_body_is_cut_at_the_cap(served: tuple[str, int, str]) -> None:
    host, port, auth = served
    chunk = b"\x00" * MiB
    sent = 0
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(_head(auth, "Transfer-Encoding: chunked\r\n"))
        sock.sendall(f"{len(PART):x}\r\n".encode() + PART + b"\r\n")
        answered = False
        while sent < 100 * MiB and not answered:
            try:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except OSError:  # the server answered and closed
                break
            sent += len(chunk)
            answered = bool(select.select([sock], [], [], 0)[0])
        status, body = _answer(sock)
    assert status == 413
    assert "the limit is" in _refusal(body["detail"])
    # the cap plus what the socket buffers held; before, all 100 MiB were read first
    assert sent < 40 * MiB, f"{sent / MiB:.0f} MiB sent before the answer"
