"""Factories for alarm-handling tests: events, a controllable clock, actors, a service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kuzet.config.response import ResponseConfig
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.response.actor import Actor
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.states import Action, Verdict
from kuzet.store import Store, open_store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ANA = Actor("ana", "u-ana")
BOB = Actor("bob", "u-bob")
SUE = Actor("sue", "u-sue", supervisor=True)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        """Move forward ``seconds``; returns the new time."""
        self.now += timedelta(seconds=seconds)
        return self.now


def make_event(event_id: str = "ev-1", **overrides: Any) -> Event:
    """An alert-grade zone-presence event on camera ``gate``."""
    values: dict[str, Any] = {
        "id": event_id, "camera_id": "gate", "kind": EventKind.ZONE_PRESENCE,
        "rule_id": "gate-zone", "phase": EventPhase.OPEN, "started_at": T0,
        "severity": Severity.ALERT, "labels": ("person",), "attrs": {"zone": "entrance"},
    }  # fmt: skip
    values.update(overrides)
    return Event(**values)


def open_service(path: Path, config: ResponseConfig | None = None,
                 clock: FakeClock | None = None, url: str | None = None
                 ) -> tuple[Store, ResponseService]:
    """A store (``url``, or a SQLite file under ``path``) and a service on it."""
    store = open_store(url, path)
    return store, ResponseService(store.engine, None, config, clock or FakeClock())


REQUESTS: dict[Action, ActionRequest] = {
    Action.ACKNOWLEDGE: ActionRequest(Action.ACKNOWLEDGE),
    Action.DISPATCH: ActionRequest(Action.DISPATCH, unit="patrol-7"),
    Action.ACCEPT: ActionRequest(Action.ACCEPT),
    Action.EN_ROUTE: ActionRequest(Action.EN_ROUTE),
    Action.ON_SCENE: ActionRequest(Action.ON_SCENE),
    Action.HOLD: ActionRequest(Action.HOLD, reason="waiting for the owner of the shop"),
    Action.RESUME: ActionRequest(Action.RESUME),
    Action.RESOLVE: ActionRequest(Action.RESOLVE, verdict=Verdict.CONFIRMED),
    Action.COMMENT: ActionRequest(Action.COMMENT, reason="seen on camera 2 as well"),
    Action.ASSIGN: ActionRequest(Action.ASSIGN, owner="bob", owner_id="u-bob"),
    Action.ESCALATE: ActionRequest(Action.ESCALATE, reason="armed", priority=None),
}
"""One complete request per API action (escalate gets its priority per test)."""
