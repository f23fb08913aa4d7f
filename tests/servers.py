"""What the test servers (PostgreSQL, nats-server) share: checking a PID."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Whether process ``pid`` still exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
