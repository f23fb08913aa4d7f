"""Live push: Server-Sent Events from the bus, MJPEG from the live view.

The bus calls subscribers on the publisher's thread; each SSE client gets its
own bounded asyncio queue fed through ``loop.call_soon_threadsafe``. A slow
client loses its oldest events (counted), never blocks the bus. Alarm and
incident changes (:class:`UpdateFeed`) share the queue, as ``alarm`` and
``incident`` messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from kuzet.api.live import LiveView
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.events.sinks import event_to_json
from kuzet.response.views import ResponseUpdate

log = logging.getLogger(__name__)

MJPEG_BOUNDARY = "kuzetframe"
MJPEG_MEDIA_TYPE = f"multipart/x-mixed-replace; boundary={MJPEG_BOUNDARY}"
MJPEG_RESEND_S = 2.0
NO_CACHE = {
    "Cache-Control": "no-cache, no-store, must-revalidate",
    "Pragma": "no-cache",
    "X-Accel-Buffering": "no",
}


def sse_message(event: str, data: dict[str, Any], event_id: str | None = None) -> str:
    """One SSE message (``event:``, optional ``id:``, one ``data:`` line)."""
    head = f"event: {event}\n" + (f"id: {event_id}\n" if event_id else "")
    return f"{head}data: {json.dumps(data, separators=(',', ':'))}\n\n"


def event_payload(event: Event) -> dict[str, Any]:
    """The SSE payload of a bus event: :func:`event_to_json` plus the snapshot URL."""
    data = event_to_json(event)
    data["snapshot_url"] = (
        f"/api/events/{event.id}/snapshot.jpg" if event.evidence.snapshot_key else None
    )
    return data


@dataclass(frozen=True, slots=True)
class UpdateFeed:
    """Alarm and incident changes pushed on the same stream as the events.

    Attributes:
        bus: Where the changes are published (``ResponseService.updates``).
        payload: The JSON this client may see of a change, or None to skip it
            (outside the client's scope); runs on the publisher's thread.
    """

    bus: Bus[ResponseUpdate]
    payload: Callable[[ResponseUpdate], dict[str, Any] | None]


Item = Event | str  # an event, or an SSE message already rendered


class ClientQueue:
    """A bounded per-client queue that drops its oldest item when full."""

    def __init__(self, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=size)
        self.dropped = 0

    def push_threadsafe(self, event: Item) -> None:
        """Bus callback: hand the event over to the loop thread."""
        with contextlib.suppress(RuntimeError):  # loop already closed: client is gone
            self._loop.call_soon_threadsafe(self._push, event)

    def _push(self, event: Item) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    async def get(self, timeout: float) -> Item | None:
        """Next event, or None after ``timeout`` seconds without one."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


def _subscribe_updates(feed: UpdateFeed, queue: ClientQueue) -> Callable[[], None]:
    def deliver(update: ResponseUpdate) -> None:
        data = feed.payload(update)
        if data is not None:
            queue.push_threadsafe(sse_message(update.topic, data))

    return feed.bus.subscribe(deliver)


async def sse_events(  # noqa: PLR0913 - the stream's independent inputs
    bus: Bus[Event],
    heartbeat_s: float,
    queue_size: int,
    visible: Callable[[Event], bool] | None = None,
    still_allowed: Callable[[], bool] | None = None,
    updates: UpdateFeed | None = None,
) -> AsyncIterator[str]:
    """Stream bus events as SSE until the client goes away.

    Only events for which ``visible(event)`` is true reach this client (its
    camera scope); the filter runs on the bus thread, before queueing.
    ``still_allowed()`` is re-checked about every ``heartbeat_s`` seconds; the
    stream ends once it is false (signed out, session or token revoked, user
    disabled).

    The first message is ``ready`` (sent once subscribed); then each event is
    sent with its phase (``open``/``update``/``close``) as the SSE event name, and
    a comment line keeps idle connections alive. With ``updates``, alarm and
    incident changes come as ``alarm`` / ``incident`` messages.
    """
    queue = ClientQueue(asyncio.get_running_loop(), queue_size)

    def deliver(event: Event) -> None:
        if visible is None or visible(event):
            queue.push_threadsafe(event)

    unsubscribe = bus.subscribe(deliver)
    unsubscribe_updates = _subscribe_updates(updates, queue) if updates else None
    loop = asyncio.get_running_loop()
    checked = loop.time()
    try:
        yield "retry: 3000\n\n"
        yield sse_message("ready", {})
        while True:
            event = await queue.get(heartbeat_s)
            if still_allowed is not None and loop.time() - checked >= heartbeat_s:
                checked = loop.time()
                if not await loop.run_in_executor(None, still_allowed):
                    return
            if event is None:
                yield ": heartbeat\n\n"
                continue
            if isinstance(event, str):
                yield event
                continue
            yield sse_message(str(event.phase), event_payload(event), event.id)
    finally:
        unsubscribe()
        if unsubscribe_updates is not None:
            unsubscribe_updates()
        if queue.dropped:
            log.info("SSE client fell behind; %d events dropped", queue.dropped)


def mjpeg_part(jpeg: bytes) -> bytes:
    """One multipart part carrying a JPEG, followed by the next boundary.

    Ending each part with the boundary (rather than starting with it) lets
    browsers show a frame as soon as it arrives instead of one frame late.
    """
    head = f"Content-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n".encode()
    return head + jpeg + f"\r\n--{MJPEG_BOUNDARY}\r\n".encode()


async def mjpeg_frames(
    live: LiveView, camera_id: str, fps: float,
    still_allowed: Callable[[], bool] | None = None, recheck_s: float = MJPEG_RESEND_S,
) -> AsyncIterator[bytes]:
    """Annotated live frames of one camera, at most ``fps`` per second.

    Holds ``live.watch(camera_id, fps)`` while streaming so the camera renders at
    that rate. A frame
    is sent when its sequence number changes, and re-sent every couple of seconds
    so a still or stalled camera keeps the connection checked. ``still_allowed()``
    is re-checked every ``recheck_s`` seconds; the stream ends once it is false
    (signed out, session or token revoked, user disabled).
    """
    loop = asyncio.get_running_loop()
    period = 1.0 / fps
    checked = loop.time()
    with live.watch(camera_id, fps):
        yield f"--{MJPEG_BOUNDARY}\r\n".encode()
        last_seq: int | None = None
        last_sent = 0.0
        while True:
            latest = live.latest_jpeg(camera_id)
            now = loop.time()
            if still_allowed is not None and now - checked >= recheck_s:
                checked = now
                if not await loop.run_in_executor(None, still_allowed):
                    return
            if latest is not None and (latest[0] != last_seq or now - last_sent > MJPEG_RESEND_S):
                last_seq, last_sent = latest[0], now
                yield mjpeg_part(latest[1])
            await asyncio.sleep(period)
