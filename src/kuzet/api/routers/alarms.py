"""Alarms: the queue (unhandled first, by priority, then age), one alarm with its history,
and the actions that move it (each audited by the service, 409 when illegal).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.alarm_access import (
    Handler,
    Reader,
    Supervisor,
    actor_of,
    http_errors,
    load_alarm,
    scoped_cameras,
)
from kuzet.api.auth import AuthFirstRoute, ScopedCameras
from kuzet.api.deps import Deps
from kuzet.api.errors import BAD_QUERY, unprocessable
from kuzet.config.response import Priority
from kuzet.core.types import EventKind
from kuzet.privacy.principal import Permission, Principal
from kuzet.response.alarms import MAX_LIMIT, AlarmQuery
from kuzet.response.planning import ActionRequest
from kuzet.response.referrals import referral_json
from kuzet.response.shifts import OperatorView
from kuzet.response.states import Action, AlarmState, Verdict
from kuzet.response.views import alarm_history_json, alarm_json

router = APIRouter(prefix="/api/alarms", route_class=AuthFirstRoute, tags=["alarms"])
Reason = Field(None, max_length=2000, description="Why (kept in the history and audit trail).")
Version = Field(None, ge=1, description="The `version` you saw; 409 if it has changed since.")


class AlarmFilters(BaseModel):
    """Query parameters of ``GET /api/alarms``; lists are repeated parameters."""

    model_config = ConfigDict(extra="forbid")

    state: list[AlarmState] = Field(default_factory=list, description="State; repeatable.")
    priority: list[Priority] = Field(default_factory=list, description="Priority; repeatable.")
    camera: list[str] = Field(default_factory=list, description="Camera id; repeatable.")
    kind: list[EventKind] = Field(default_factory=list, description="Event kind; repeatable.")
    queue: Literal["operators", "supervisors"] | None = Field(None, description="Queue.")
    sector: list[str] = Field(default_factory=list, description="Routing sector; repeatable.")
    incident: str | None = Field(None, description="Only the alarms of this incident.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Page size.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")


class NoteIn(BaseModel):
    """An action with an optional reason."""

    model_config = ConfigDict(extra="forbid")
    reason: str | None = Reason
    version: int | None = Version


class DispatchIn(NoteIn):
    """``dispatch``: the unit sent."""

    unit: str = Field(min_length=1, max_length=128, description="Unit call sign.")


class HoldIn(NoteIn):
    """``hold``: why the alarm waits."""

    reason: str = Field(min_length=1, max_length=2000, description="Why it waits.")


class ResolveIn(NoteIn):
    """``resolve``: the verdict."""

    verdict: Verdict = Field(description="confirmed | false_alarm | duplicate | no_action | "
                                         "referred.")


class CommentIn(BaseModel):
    """A comment."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000, description="The comment.")


class AssignIn(NoteIn):
    """``assign`` (supervisors): the new owner."""

    owner: str = Field(min_length=1, max_length=128, description="Username of an operator.")


class EscalateIn(NoteIn):
    """``escalate`` (supervisors): a higher priority."""

    priority: Priority = Field(description="The new, higher priority.")


@router.get("", responses=BAD_QUERY)
def list_alarms(request: Request, deps: Deps, scope: ScopedCameras, user: Reader,
                filters: Annotated[AlarmFilters, Query()]) -> dict[str, Any]:
    """Alarms of the caller's cameras: unhandled first, by priority, then oldest first.

    Keyset pages: pass ``next_cursor`` as ``cursor``. A camera outside the caller's
    scope is 403. With sectors configured, an operator's queue holds only alarms of
    the sectors they are on shift in, of cameras in no sector, and their own.
    """
    cameras = scope.query_cameras(filters.camera) if filters.camera else scoped_cameras(scope)
    query = AlarmQuery(states=[str(s) for s in filters.state],
                       priorities=[str(p) for p in filters.priority], cameras=cameras,
                       kinds=[str(k) for k in filters.kind], queue=filters.queue,
                       incident_id=filters.incident, sectors=filters.sector,
                       view=_routing_view(deps, request, user), limit=filters.limit,
                       cursor=filters.cursor)
    try:
        page = deps.response.alarms.page(query)
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    return {"items": [alarm_json(a) for a in page.items], "next_cursor": page.next_cursor}


def _routing_view(deps: Deps, request: Request, user: Principal) -> OperatorView | None:
    """Routing applies to those who handle alarms, not to readers (analysts, auditors)."""
    if not user.can(Permission.HANDLE_EVENTS):
        return None
    return deps.response.routing.view(actor_of(request, user), deps.response.clock())


@router.get("/{alarm_id}")
def get_alarm(alarm_id: str, deps: Deps, scope: ScopedCameras, _user: Reader) -> dict[str, Any]:
    """One alarm with its history (who, when, why, from, to), oldest first, and its
    referral (who referred it and who verified it; null unless the verdict is ``referred``)."""
    row = load_alarm(deps.response, alarm_id, scope)
    history = deps.response.alarms.history([row.id])
    return alarm_json(row) | {"history": [alarm_history_json(h) for h in history],
                              "referral": referral_json(row, history)}


def _act(request: Request, deps: Deps, scope: ScopedCameras, user: Principal,
         alarm_id: str, action: ActionRequest) -> dict[str, Any]:
    load_alarm(deps.response, alarm_id, scope)
    with http_errors():
        row = deps.response.act(alarm_id, action, actor_of(request, user))
    return alarm_json(row)


@router.post("/{alarm_id}/acknowledge")
def acknowledge(alarm_id: str, request: Request, deps: Deps, scope: ScopedCameras, user: Handler,
                body: Annotated[NoteIn | None, Body()] = None) -> dict[str, Any]:
    """Take the alarm (you become its owner). 409 if someone else took it first."""
    body = body or NoteIn()
    return _act(request, deps, scope, user, alarm_id,
                ActionRequest(Action.ACKNOWLEDGE, reason=body.reason, version=body.version))


@router.post("/{alarm_id}/dispatch")
def dispatch(alarm_id: str, body: DispatchIn, request: Request, deps: Deps,
             scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """Send a unit (owner or supervisor)."""
    return _act(request, deps, scope, user, alarm_id, ActionRequest(
        Action.DISPATCH, reason=body.reason, unit=body.unit, version=body.version))


@router.post("/{alarm_id}/on_scene")
def on_scene(alarm_id: str, request: Request, deps: Deps, scope: ScopedCameras, user: Handler,
             body: Annotated[NoteIn | None, Body()] = None) -> dict[str, Any]:
    """The unit has arrived (owner or supervisor)."""
    body = body or NoteIn()
    return _act(request, deps, scope, user, alarm_id,
                ActionRequest(Action.ON_SCENE, reason=body.reason, version=body.version))


@router.post("/{alarm_id}/hold")
def hold(alarm_id: str, body: HoldIn, request: Request, deps: Deps, scope: ScopedCameras,
         user: Handler) -> dict[str, Any]:
    """Put the alarm on hold, with a reason (owner or supervisor)."""
    return _act(request, deps, scope, user, alarm_id,
                ActionRequest(Action.HOLD, reason=body.reason, version=body.version))


@router.post("/{alarm_id}/resume")
def resume(alarm_id: str, request: Request, deps: Deps, scope: ScopedCameras, user: Handler,
           body: Annotated[NoteIn | None, Body()] = None) -> dict[str, Any]:
    """Take an alarm off hold (back to acknowledged)."""
    body = body or NoteIn()
    return _act(request, deps, scope, user, alarm_id,
                ActionRequest(Action.RESUME, reason=body.reason, version=body.version))


@router.post("/{alarm_id}/resolve")
def resolve(alarm_id: str, body: ResolveIn, request: Request, deps: Deps,
            scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """Resolve with a verdict (owner or supervisor)."""
    return _act(request, deps, scope, user, alarm_id, ActionRequest(
        Action.RESOLVE, reason=body.reason, verdict=body.verdict, version=body.version))


@router.post("/{alarm_id}/comment")
def comment(alarm_id: str, body: CommentIn, request: Request, deps: Deps,
            scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """Add a comment (any state)."""
    return _act(request, deps, scope, user, alarm_id,
                ActionRequest(Action.COMMENT, reason=body.text))


@router.post("/{alarm_id}/assign")
def assign(alarm_id: str, body: AssignIn, request: Request, deps: Deps, scope: ScopedCameras,
           user: Supervisor) -> dict[str, Any]:
    """Give the alarm to an operator (supervisors); a new or skipped alarm becomes theirs."""
    row = load_alarm(deps.response, alarm_id, scope)
    owner = deps.auth.users.by_username(body.owner)
    principal = owner.principal() if owner is not None and not owner.disabled else None
    if principal is None or not principal.can(Permission.HANDLE_EVENTS):
        message = f"{body.owner!r} is not an active user who handles alarms"
        raise unprocessable(message, "body", "owner")
    if not principal.sees_camera(row.camera_id, scope.sites.get(row.camera_id)):
        message = f"camera {row.camera_id} is outside {body.owner}'s scope"
        raise unprocessable(message, "body", "owner")
    return _act(request, deps, scope, user, alarm_id, ActionRequest(
        Action.ASSIGN, reason=body.reason, owner=principal.username,
        owner_id=principal.user_id, version=body.version))


@router.post("/{alarm_id}/escalate")
def escalate(alarm_id: str, body: EscalateIn, request: Request, deps: Deps,
             scope: ScopedCameras, user: Supervisor) -> dict[str, Any]:
    """Raise the alarm's priority (supervisors); a new alarm's time limit tightens."""
    return _act(request, deps, scope, user, alarm_id, ActionRequest(
        Action.ESCALATE, reason=body.reason, priority=body.priority, version=body.version))
