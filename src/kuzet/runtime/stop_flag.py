"""A stop signal shared with worker processes that no dead process can jam.

``multiprocessing.Event.set()`` waits until every process sleeping in
``Event.wait()`` has woken; a worker that exits (or is killed) while one of its
threads waits leaves that count behind, and ``set()`` then blocks for ever. This
flag is one byte of shared memory without a lock: setting it never waits, and
waiters poll it.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from multiprocessing.context import BaseContext
from typing import Any

POLL_S = 0.05


class StopFlag:
    """``set`` / ``is_set`` / ``wait(timeout)`` like an Event, across processes.

    Example:
        >>> flag = StopFlag()
        >>> flag.wait(0.01), flag.set(), flag.is_set()
        (False, None, True)
    """

    def __init__(self, ctx: BaseContext | None = None) -> None:
        self._value: Any = (ctx or mp.get_context()).RawValue("b", 0)

    def set(self) -> None:
        """Raise the flag (never blocks)."""
        self._value.value = 1

    def is_set(self) -> bool:
        """Whether the flag is raised."""
        return bool(self._value.value)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the flag is raised or ``timeout`` seconds pass; returns ``is_set()``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            left = POLL_S if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(POLL_S, left))
        return True
