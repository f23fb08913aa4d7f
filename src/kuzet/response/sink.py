"""The bus sink that opens an alarm for every alert-grade event."""

from __future__ import annotations

from typing import Protocol

from kuzet.core.types import Event


class AlarmOpener(Protocol):
    """What :class:`AlarmSink` needs (``ResponseService`` has it)."""

    def open_alarm(self, event: Event) -> object:
        """Open the event's alarm if it needs one."""


class AlarmSink:
    """Bus subscriber: each ``alert``/``critical`` event update opens its alarm once.

    Subscribe it after the store sink. An event published first as a ``detection``
    (a pending face match) opens its alarm when an update raises its severity.

    Example:
        >>> unsubscribe = bus.subscribe(AlarmSink(service))  # doctest: +SKIP
    """

    def __init__(self, service: AlarmOpener) -> None:
        self._service = service

    def __call__(self, event: Event) -> None:
        """Handle one event update."""
        self._service.open_alarm(event)
