"""In-process, thread-safe publish/subscribe for events.

Subscribers are plain callables; a failing subscriber is logged and counted but
never stops delivery to the others (the bus is a process boundary for sinks).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Bus(Generic[T]):
    """Typed publish/subscribe.

    Example:
        >>> bus: Bus[str] = Bus()
        >>> got = []
        >>> unsubscribe = bus.subscribe(got.append)
        >>> bus.publish("hello")
        >>> got
        ['hello']
    """

    def __init__(self) -> None:
        self._subscribers: list[Callable[[T], None]] = []
        self._lock = threading.Lock()
        self.failures = 0

    def subscribe(self, callback: Callable[[T], None]) -> Callable[[], None]:
        """Register ``callback``; returns a function that unregisters it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, item: T) -> None:
        """Deliver ``item`` to every subscriber, in subscription order."""
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(item)
            except Exception:  # sink boundary: one bad sink must not block the others
                self.failures += 1
                log.exception("event subscriber %r failed", callback)
