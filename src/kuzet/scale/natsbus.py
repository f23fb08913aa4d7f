"""The message bus on NATS JetStream (``bus.kind: nats``, issue 21).

Messages go to ``kuzet.<site>.<camera>.<kind>`` as JSON (:mod:`kuzet.events.wire`)
and are kept by one JetStream stream (``bus.stream``, subjects ``kuzet.>``).

- ``subscribe`` is a core NATS subscription: live messages, nothing replayed.
- ``consume`` is a durable pull consumer. A message is acknowledged after the
  handler returns. If the handler raises, or the process dies first, the message
  comes again after ``ack_wait``. The key of every delivery is
  ``<stream>:<stream sequence>``, so it stays the same on redelivery.
  Consumers on several nodes with the same durable name share the work.

nats-py is asyncio; the bus runs one event loop in its own thread, so callers
stay synchronous like the in-process bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig, StorageType, StreamConfig
from nats.js.errors import BadRequestError

from kuzet.config.bus import BusConfig
from kuzet.events.transport import Topic, Unsubscribe
from kuzet.events.wire import decode, encode

T = TypeVar("T")
log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
FETCH_BATCH = 64
FETCH_WAIT_S = 0.5
CALL_TIMEOUT_S = 10.0
RETRY_DELAY_S = 1.0


def token(name: str) -> str:
    """``name`` as one subject token (``.``, ``*``, ``>`` and spaces become ``_``).

    Example:
        >>> token("north gate.2")
        'north_gate_2'
    """
    return _UNSAFE.sub("_", name) or "_"


class NatsBus:
    """:class:`~kuzet.events.transport.MessageBus` on NATS JetStream.

    Args:
        cfg: The ``bus`` config section (url, stream, max_age, ack_wait).
        sites: Site of each camera id (the second subject token; ``_`` if unknown).

    Example:
        >>> bus = NatsBus(config.bus, {"gate": "north"})  # doctest: +SKIP
        >>> bus.publish(EVENTS, event)  # doctest: +SKIP  (to kuzet.north.gate.event)
    """

    def __init__(self, cfg: BusConfig, sites: Mapping[str, str] | None = None) -> None:
        self.cfg = cfg
        self._sites = dict(sites or {})
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="nats-bus",
                                        daemon=True)
        self._thread.start()
        self._tasks: list[asyncio.Task[None]] = []
        self.failures = 0
        try:
            self._nc: Client = self._call(self._connect())
        except BaseException:
            self._stop_loop()
            raise
        self._js = self._nc.jetstream()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(CALL_TIMEOUT_S)

    async def _connect(self) -> Client:
        servers = [u.strip() for u in self.cfg.url.split(",") if u.strip()]
        nc = await nats.connect(servers=servers, connect_timeout=5, max_reconnect_attempts=-1)
        js = nc.jetstream()
        stream = StreamConfig(name=self.cfg.stream, subjects=["kuzet.>"],
                              storage=StorageType.FILE, max_age=self.cfg.max_age)
        try:
            await js.add_stream(stream)
        except BadRequestError:  # exists with other settings: take ours
            await js.update_stream(stream)
        return nc

    def subject(self, topic: Topic[T], item: T) -> str:
        """``kuzet.<site>.<camera>.<kind>`` of ``item``."""
        camera = topic.camera_of(item)
        return f"kuzet.{token(self._sites.get(camera, '_'))}.{token(camera)}.{topic.kind}"

    def publish(self, topic: Topic[T], item: T) -> None:
        """Publish and wait for JetStream's acknowledgement (the message is stored)."""
        self._call(self._js.publish(self.subject(topic, item), encode(item)))

    def subscribe(self, topic: Topic[T], callback: Callable[[T], None]) -> Unsubscribe:
        """Live messages of ``topic`` from every site and camera, in arrival order."""

        async def on_msg(msg: Msg) -> None:
            try:
                await asyncio.to_thread(callback, decode(topic.type, msg.data))
            except Exception:  # subscriber boundary, as in the in-process Bus
                self.failures += 1
                log.exception("bus subscriber %r failed on %s", callback, msg.subject)

        sub = self._call(self._nc.subscribe(f"kuzet.*.*.{topic.kind}", cb=on_msg))
        self._call(self._nc.flush())

        def unsubscribe() -> None:
            with contextlib.suppress(Exception):  # already closed
                self._call(sub.unsubscribe())

        return unsubscribe

    def consume(
        self, topic: Topic[T], durable: str, handler: Callable[[T, str], None]
    ) -> Unsubscribe:
        """Durable pull consumer ``durable`` on ``kuzet.*.*.<kind>`` (see module doc)."""
        config = ConsumerConfig(ack_wait=self.cfg.ack_wait, max_deliver=-1)
        psub = self._call(self._js.pull_subscribe(
            f"kuzet.*.*.{topic.kind}", durable=token(durable), stream=self.cfg.stream,
            config=config))
        task = self._call(self._start(self._pull(psub, topic, handler)))
        self._tasks.append(task)

        def unsubscribe() -> None:
            self._loop.call_soon_threadsafe(task.cancel)

        return unsubscribe

    async def _start(self, coro: Any) -> asyncio.Task[None]:
        return asyncio.create_task(coro)

    async def _pull(self, psub: Any, topic: Topic[T], handler: Callable[[T, str], None]) -> None:
        while True:
            try:
                msgs = await psub.fetch(FETCH_BATCH, timeout=FETCH_WAIT_S)
            except NatsTimeout:
                continue
            for msg in msgs:
                await self._deliver(msg, topic, handler)

    async def _deliver(self, msg: Msg, topic: Topic[T], handler: Callable[[T, str], None]) -> None:
        key = f"{self.cfg.stream}:{msg.metadata.sequence.stream}"
        try:
            item = decode(topic.type, msg.data)
        except ValueError:
            log.exception("bus message %s on %s is not a %s; dropped", key, msg.subject,
                          topic.kind)
            await msg.term()
            return
        try:
            await asyncio.to_thread(handler, item, key)
        except Exception:  # consumer boundary: the message comes again, nothing is lost
            self.failures += 1
            log.exception("bus consumer failed on %s (delivery %d); retrying", key,
                          msg.metadata.num_delivered)
            await asyncio.sleep(RETRY_DELAY_S)  # back off, then ask for it again now
            await msg.nak()
            return
        await msg.ack()

    def close(self) -> None:
        """Stop the consumers, close the connection and stop the loop thread."""
        with contextlib.suppress(Exception):  # a lost connection has nothing to close
            self._call(self._shutdown())
        self._stop_loop()

    async def _shutdown(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._nc.close()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CALL_TIMEOUT_S)
        if not self._thread.is_alive():
            self._loop.close()
