"""Token-bucket rate limits, per key (a client address or a device token), in memory."""

from __future__ import annotations

import threading
from collections import OrderedDict

from kuzet.config.citizen import RateLimit

MAX_KEYS = 100_000


class Limiter:
    """``rate.count`` requests per ``rate.per_s`` seconds per key; refills continuously.

    Every attempt is charged, refused or not, so a flood stays refused. The
    least recently seen keys are forgotten beyond ``max_keys`` (memory stays bounded).

    Example:
        >>> limiter = Limiter(RateLimit(count=2, per_s=60))
        >>> [limiter.allow("1.2.3.4", now=0.0) for _ in range(3)]
        [True, True, False]
    """

    def __init__(self, rate: RateLimit, max_keys: int = MAX_KEYS) -> None:
        self.rate = rate
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._max_keys = max_keys
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> bool:
        """Take one token from ``key``'s bucket; False when it is empty."""
        per_token = self.rate.per_s / self.rate.count
        with self._lock:
            tokens, seen = self._buckets.pop(key, (float(self.rate.count), now))
            tokens = min(float(self.rate.count), tokens + max(0.0, now - seen) / per_token)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return allowed
