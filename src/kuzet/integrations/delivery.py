"""Sending webhook deliveries: one thread per endpoint, signed POSTs, retries with backoff.

Each endpoint has its own thread, so a dead or slow endpoint delays only its
own deliveries. Deliveries are independent (no ordering between them): a
receiver orders an object's changes by ``data.version``.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import IO, Any

from kuzet.config.integrations import WebhookConfig
from kuzet.integrations.signing import signed_headers
from kuzet.integrations.webhooks import Attempt, DeliveryState, WebhookDeliveryRow, WebhookQueue

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Post = Callable[[str, bytes, Mapping[str, str], float], Attempt]
ERROR_CHARS = 500
PRUNE_EVERY_S = 3600.0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed attempt: a signed body is never re-sent elsewhere."""

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: Any, newurl: str) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Attempt:
    """POST ``body``; the status, or None with the error when no answer came."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return Attempt(int(answer.status))
    except urllib.error.HTTPError as error:
        return Attempt(int(error.code), f"HTTP {error.code} {error.reason}")
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        return Attempt(None, f"{type(error).__name__}: {error}"[:ERROR_CHARS])


class WebhookSender:
    """Delivers due webhook rows of every endpoint until stopped.

    Args:
        queue: The delivery table.
        hooks: Endpoints from the config.
        clock: UTC now (tests move it by hand).
        poll: Seconds between looks for due retries.
        keep: How long delivered rows are kept (pruned hourly); None = for ever.
        send: The HTTP POST (tests may pass their own).

    Example:
        >>> sender = WebhookSender(queue, config.integrations.webhooks, utc_now)  # doctest: +SKIP
        >>> sender.start(); ...; sender.stop()  # doctest: +SKIP
    """

    def __init__(self, queue: WebhookQueue, hooks: Sequence[WebhookConfig], clock: Clock,
                 poll: float = 1.0, keep: timedelta | None = None, send: Post = post) -> None:
        self.queue = queue
        self.keep = keep
        self.hooks = {hook.name: hook for hook in hooks}
        self.clock = clock
        self.poll = poll
        self._send = send
        self._stop = threading.Event()
        self._wake = {name: threading.Event() for name in self.hooks}
        self._threads: list[threading.Thread] = []

    def wake(self) -> None:
        """Look for due deliveries now (called after enqueueing or a manual retry)."""
        for event in self._wake.values():
            event.set()

    def send_due(self, name: str) -> int:
        """Attempt every due delivery of endpoint ``name`` once; returns how many were tried."""
        hook = self.hooks[name]
        rows = self.queue.due(name, self.clock())
        for row in rows:
            if self._stop.is_set():
                break
            self.attempt(hook, row)
        return len(rows)

    def attempt(self, hook: WebhookConfig, row: WebhookDeliveryRow) -> WebhookDeliveryRow:
        """One signed POST of ``row`` to ``hook``, recorded."""
        body = row.body.encode()
        now = self.clock()
        headers = signed_headers(hook.secret, body, row.event, row.id, int(now.timestamp()))
        outcome = self._send(str(hook.url), body, headers, hook.timeout)
        after = self.queue.record(row, outcome, self.clock(), hook)
        if after.state == DeliveryState.DEAD.value:
            log.error("webhook %s: delivery %s dead after %d attempts (%s)", hook.name, row.id,
                      after.attempts, outcome.error or outcome.status)
        elif not outcome.ok:
            log.warning("webhook %s: delivery %s attempt %d failed (%s); next at %s",
                        hook.name, row.id, after.attempts, outcome.error or outcome.status,
                        after.next_attempt_at)
        return after

    def start(self) -> None:
        """One thread per endpoint."""
        for name in self.hooks:
            thread = threading.Thread(target=self._loop, args=(name,), daemon=True,
                                      name=f"webhook-{name}")
            thread.start()
            self._threads.append(thread)

    def _loop(self, name: str) -> None:
        wake = self._wake[name]
        pruned = -PRUNE_EVERY_S
        while not self._stop.is_set():
            try:
                if self.keep is not None and time.monotonic() - pruned >= PRUNE_EVERY_S:
                    pruned = time.monotonic()
                    self.queue.prune(name, self.clock() - self.keep)
                tried = self.send_due(name)
            except Exception:  # thread boundary: a store hiccup is logged and retried
                log.exception("webhook %s: delivery pass failed", name)
                tried = 0
            if tried == 0:
                wake.wait(self.poll)
                wake.clear()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the threads (pending deliveries stay in the store for the next start)."""
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
