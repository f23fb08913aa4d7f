"""What the alarm and incident routers share: who may read, scope checks, error mapping.

Reading alarms and incidents needs ``view_events`` or ``view_audit`` (auditors
follow who did what); acting needs ``handle_events``; assigning and escalating
need ``supervise_alarms``. A user sees only alarms of cameras in scope, and an
incident when one of its alarms is in scope or it has none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from kuzet.api.auth import CameraScope, CurrentUser, client_ip, require
from kuzet.api.errors import unprocessable
from kuzet.privacy.principal import Permission, Principal
from kuzet.response.actor import Actor
from kuzet.response.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    ResponseError,
)
from kuzet.response.models import AlarmRow, IncidentRow
from kuzet.response.service import ResponseService
from kuzet.response.views import ResponseUpdate

STATUS: dict[type[ResponseError], int] = {
    NotFoundError: 404, ConflictError: 409, ForbiddenError: 403, InvalidError: 422,
}  # fmt: skip
READ_PERMISSIONS = (Permission.VIEW_EVENTS, Permission.VIEW_AUDIT)


def reader(principal: CurrentUser) -> Principal:
    """The principal, if it may read alarms and incidents (else 403)."""
    if not any(principal.can(p) for p in READ_PERMISSIONS):
        raise HTTPException(403, f"your role ({principal.role}) cannot read alarms")
    return principal


Reader = Annotated[Principal, Depends(reader)]
Handler = Annotated[Principal, require(Permission.HANDLE_EVENTS)]
Supervisor = Annotated[Principal, require(Permission.SUPERVISE_ALARMS)]


@contextmanager
def http_errors() -> Iterator[None]:
    """Turn alarm/incident errors into HTTP errors with the same message."""
    try:
        yield
    except ResponseError as error:
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
        if status == 422:  # the validation shape the spec documents for 422
            raise unprocessable(str(error)) from error
        raise HTTPException(status, str(error)) from error


def actor_of(request: Request, principal: Principal) -> Actor:
    """The :class:`Actor` of a request."""
    return Actor.of(principal, client_ip(request))


def scoped_cameras(scope: CameraScope) -> list[str] | None:
    """Cameras the caller sees: None = all."""
    return None if scope.unrestricted else scope.query_cameras([])


def load_alarm(service: ResponseService, alarm_id: str, scope: CameraScope) -> AlarmRow:
    """An alarm within the caller's scope (unknown ids are 403 for scoped callers)."""
    try:
        row = service.alarms.get(alarm_id)
    except NotFoundError as error:
        if not scope.unrestricted:
            raise HTTPException(403, "this alarm is outside your scope") from error
        raise HTTPException(404, str(error)) from error
    scope.check(row.camera_id)
    return row


def load_incident(service: ResponseService, incident_id: str,
                  scope: CameraScope) -> IncidentRow:
    """An incident within the caller's scope (unknown ids are 403 for scoped callers)."""
    try:
        row = service.incidents.get(incident_id)
    except NotFoundError as error:
        if not scope.unrestricted:
            raise HTTPException(403, "this incident is outside your scope") from error
        raise HTTPException(404, str(error)) from error
    cameras = scoped_cameras(scope)
    if cameras is not None and not service.incidents.visible(incident_id, cameras):
        raise HTTPException(403, "this incident is outside your scope")
    return row


def update_payload(service: ResponseService,
                   scope: CameraScope) -> Callable[[ResponseUpdate], dict[str, Any] | None]:
    """What one live-push client may see of an alarm or incident change (None: nothing).

    An alarm change reaches callers who see its camera; an incident change, callers
    who may see the incident (its cameras narrowed to theirs), as the REST routes do.
    """

    def payload(update: ResponseUpdate) -> dict[str, Any] | None:
        data = update.data | {"action": update.action}
        if update.topic == "rule":  # a rule flag: for the admins' channels, not the console
            return None
        if update.topic == "alarm":
            return data if scope.allows(update.cameras[0]) else None
        if scope.unrestricted:
            return data
        visible = scope.visible(list(update.cameras))
        cameras = scoped_cameras(scope) or []
        if not visible and not service.incidents.visible(update.id, cameras):
            return None
        return data | {"cameras": visible}

    return payload
