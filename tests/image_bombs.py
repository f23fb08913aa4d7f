"""Decompression bombs and a memory guard for tests of the bounded decoder.

Import as ``from image_bombs import bomb_png, memory_guard`` (``tests/`` is on the path).
"""

from __future__ import annotations

import resource
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROWS_PER_BLOCK = 256


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def bomb_png(width: int, height: int) -> bytes:
    """A real, valid black RGB PNG of ``width`` x ``height`` that is tiny on disk.

    The zlib stream is one fully flushed block of ``ROWS_PER_BLOCK`` zero rows,
    repeated (a full flush makes each copy independent), then a final empty block
    and the Adler-32 of the whole image: a 20000x20000 PNG is ~1.2 MB and takes
    well under a second to build.
    """
    row = b"\x00" * (1 + 3 * width)  # filter byte + RGB
    blocks, rest = divmod(height, ROWS_PER_BLOCK)
    compressor = zlib.compressobj(9)
    head = compressor.compress(row * ROWS_PER_BLOCK) + compressor.flush(zlib.Z_FULL_FLUSH)
    header, body = head[:2], head[2:]  # the zlib header, then the self-contained block
    tail_c = zlib.compressobj(9)
    tail = tail_c.compress(row * rest) + tail_c.flush(zlib.Z_FULL_FLUSH) if rest else b"\x02\x00"
    adler = 1
    block_data = row * ROWS_PER_BLOCK
    for _ in range(blocks):
        adler = zlib.adler32(block_data, adler)
    adler = zlib.adler32(row * rest, adler)
    tail_body = tail[2:] if rest else b""
    stream = header + body * blocks + tail_body + b"\x03\x00" + struct.pack(">I", adler)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", stream)
        + _chunk(b"IEND", b"")
    )


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


@dataclass
class MemoryUse:
    """Peak resident memory growth (MB) over the guarded block."""

    peak_growth_mb: float = 0.0


@contextmanager
def memory_guard(limit_mb: int) -> Iterator[MemoryUse]:
    """Measure the peak RSS growth, and cap the address space while inside.

    The cap (current virtual size + ``limit_mb``) turns an unbounded allocation
    into a MemoryError / cv2.error in this process instead of an OOM kill of the
    machine, so a test of a decompression bomb can fail safely before the fix.
    """
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = _status_kb("VmRSS")
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _status_kb("VmSize") * 1024 + limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard < 0 else min(cap, hard), hard))
    use = MemoryUse()
    try:
        yield use
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        use.peak_growth_mb = (_status_kb("VmHWM") - before) / 1024
