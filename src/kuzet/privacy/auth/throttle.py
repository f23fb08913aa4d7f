"""Per-address sign-in throttle: too many failures from one address pause it."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class IpThrottle:
    """Counts failed sign-ins per address in a sliding window (in memory, per process).

    Args:
        max_failures: Failures within ``window_s`` that block the address.
        window_s: Window length in seconds (an address stays blocked until its
            oldest counted failure leaves the window).
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(
        self, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, ip: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(ip, deque())
        while failures and now - failures[0] > self.window_s:
            failures.popleft()
        return failures

    def retry_after(self, ip: str) -> float:
        """Seconds until ``ip`` may try again (0 when it may now)."""
        with self._lock:
            now = self._clock()
            failures = self._prune(ip, now)
            if len(failures) < self.max_failures:
                if not failures:
                    self._failures.pop(ip, None)
                return 0.0
            return max(0.0, self.window_s - (now - failures[0]))

    def failed(self, ip: str) -> None:
        """Record a failed sign-in from ``ip``."""
        with self._lock:
            self._prune(ip, self._clock()).append(self._clock())
