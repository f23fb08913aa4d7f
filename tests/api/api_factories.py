"""Factories for API tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def make_event(**overrides: Any) -> Event:
    """An event with defaults; ``minutes`` shifts ``started_at`` from T0."""
    minutes = overrides.pop("minutes", 0)
    values: dict[str, Any] = {
        "id": "ev-1",
        "camera_id": "gate",
        "kind": EventKind.ZONE_PRESENCE,
        "rule_id": "gate-zone",
        "phase": EventPhase.OPEN,
        "started_at": T0 + timedelta(minutes=minutes),
        "severity": Severity.ALERT,
        "track_ids": (7,),
        "labels": ("person",),
        "attrs": {"zone": "entrance"},
        "evidence": Evidence(),
    }
    values.update(overrides)
    return Event(**values)


PASSWORD = "correct horse battery"


def make_user(deps: Any, username: str = "admin", role: str = "admin", **scope: Any) -> Any:
    """A user in the deps' store (``cameras=[...]``/``sites=[...]`` limit its scope)."""
    from kuzet.core.roles import Role

    users = deps.auth.users
    user = users.create(username, PASSWORD, Role(role))
    if scope:
        user = users.set_scope(username, scope.get("cameras"), scope.get("sites"))
    return user


def sign_in(client: Any, username: str = "admin", password: str = PASSWORD) -> str:
    """Sign ``client`` in through ``POST /auth/login``; sets its CSRF header, returns it."""
    resp = client.post("/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    csrf = str(resp.json()["csrf_token"])
    client.headers["X-CSRF-Token"] = csrf
    return csrf


def bearer(deps: Any, username: str = "admin", scopes: Any = None) -> dict[str, str]:
    """``Authorization`` header of a fresh token for ``username`` (all its permissions)."""
    user = deps.auth.users.by_username(username)
    perms = user.principal().permissions if scopes is None else scopes
    secret, _ = deps.auth.tokens.create(user.id, "test", perms, None)
    return {"Authorization": f"Bearer {secret}"}
