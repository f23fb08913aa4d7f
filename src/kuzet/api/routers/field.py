"""The field officer's API: duty in a unit, the unit's assignments and their moves, positions.

Everything here needs ``handle_events`` except ``GET /api/field/positions`` (read:
``view_events``), which the map polls. Alarm moves go through the same state machine,
history, audit trail and live push as the console's (:meth:`ResponseService.act`);
the caller acts as a member of the unit they are on duty in
(:attr:`kuzet.response.states.Move.unit_may`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.alarm_access import Handler, http_errors, load_alarm, scoped_cameras
from kuzet.api.auth import AuthFirstRoute, CameraScope, ScopedCameras, audit, client_ip, require
from kuzet.api.deps import AppDeps, Deps
from kuzet.api.errors import ErrorOut, Responses
from kuzet.privacy.principal import Permission, Principal
from kuzet.response.actor import Actor
from kuzet.response.field import Assignments
from kuzet.response.field_models import DutyRow, FieldPhotoRow, PositionRow
from kuzet.response.models import AlarmRow
from kuzet.response.planning import ActionRequest
from kuzet.response.states import Action, Verdict
from kuzet.response.views import alarm_json, incident_json, iso

router = APIRouter(prefix="/api/field", route_class=AuthFirstRoute, tags=["field"])
Viewer = Annotated[Principal, require(Permission.VIEW_EVENTS)]
OFF_DUTY: Responses = {409: {"model": ErrorOut,
                             "description": "Not on duty in a unit, or the move is illegal now"}}


class FieldAction(StrEnum):
    """What the field app can do to an alarm dispatched to the caller's unit."""

    ACCEPT = "accept"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RESOLVE = "resolve"


class DutyIn(BaseModel):
    """Start duty in a unit."""

    model_config = ConfigDict(extra="forbid")
    unit: str = Field(min_length=1, max_length=32, description="The unit's call sign.")


class FieldActionIn(BaseModel):
    """A move; ``resolve`` needs the outcome (``verdict``) and takes a note."""

    model_config = ConfigDict(extra="forbid")
    verdict: Verdict | None = Field(None, description="Outcome (required to resolve).")
    note: str | None = Field(None, max_length=2000, description="What was found or done.")
    version: int | None = Field(None, ge=1, description="The alarm version you saw.")


class PositionIn(BaseModel):
    """A position from the browser's geolocation (WGS 84)."""

    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="Latitude, degrees.")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="Longitude, degrees.")
    accuracy_m: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False,
                                     description="Accuracy radius in metres.")


class PositionOut(BaseModel):
    """A unit's position."""

    unit: str
    username: str
    lat: float
    lon: float
    accuracy_m: float | None
    at: str


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls a field route that acts: the request, the app, the scope, the user."""

    request: Request
    deps: AppDeps
    scope: CameraScope
    user: Principal


def field_caller(request: Request, deps: Deps, scope: ScopedCameras, user: Handler) -> Caller:
    """The :class:`Caller` of a request (``handle_events`` required)."""
    return Caller(request, deps, scope, user)


FieldCaller = Annotated[Caller, Depends(field_caller)]


def duty_json(row: DutyRow | None) -> dict[str, Any]:
    """The caller's duty: unit and since when (nulls when off duty)."""
    if row is None:
        return {"on_duty": False, "unit": None, "since": None}
    return {"on_duty": True, "unit": row.unit, "since": iso(row.started_at)}


def position_out(row: PositionRow) -> PositionOut:
    """A stored position as JSON."""
    return PositionOut(unit=row.unit, username=row.username, lat=row.lat, lon=row.lon,
                       accuracy_m=row.accuracy_m, at=iso(row.at) or "")


def photo_json(row: FieldPhotoRow) -> dict[str, Any]:
    """A field photo as JSON (the image is behind its own audited, redacting route)."""
    return {"id": row.id, "alarm_id": row.alarm_id, "incident_id": row.incident_id,
            "camera_id": row.camera_id, "url": f"/api/field/photos/{row.id}.jpg",
            "sha256": row.sha256, "width": row.width, "height": row.height, "unit": row.unit,
            "note": row.note, "uploaded_by": row.uploaded_by, "at": iso(row.at)}


def current_duty(deps: AppDeps, user: Principal) -> DutyRow:
    """The caller's duty, or 409 when off duty."""
    duty = deps.field.duty_of(user.user_id)
    if duty is None:
        raise HTTPException(409, "you are not on duty in a unit; start duty with your call "
                                 "sign first")
    return duty


def field_actor(request: Request, user: Principal, duty: DutyRow | None) -> Actor:
    """The caller as an :class:`Actor` who is a member of their duty's unit."""
    actor = Actor.of(user, client_ip(request))
    return Actor(actor.username, actor.user_id, actor.ip, actor.supervisor,
                 (duty.unit,) if duty is not None else ())


@router.get("/me")
def get_duty(deps: Deps, user: Handler) -> dict[str, Any]:
    """Whether the caller is on duty, in which unit and since when."""
    return {"username": user.username, **duty_json(deps.field.duty_of(user.user_id))}


@router.post("/duty", status_code=201)
def start_duty(body: DutyIn, request: Request, deps: Deps, user: Handler) -> dict[str, Any]:
    """Go on duty in a unit (ends the current duty first); audited ``field.duty_start``."""
    if user.user_id is None:
        raise HTTPException(403, "only a signed-in user can go on duty")
    with http_errors():
        row, ended = deps.field.start_duty(user.user_id, user.username, body.unit)
    if ended is not None:
        audit(request, "field.duty_end", target=ended.unit, details={"duty": ended.id})
    audit(request, "field.duty_start", target=row.unit, details={"duty": row.id})
    return {"username": user.username, **duty_json(row)}


@router.delete("/duty", responses=OFF_DUTY)
def end_duty(request: Request, deps: Deps, user: Handler) -> dict[str, Any]:
    """Go off duty (position sharing stops being accepted); audited ``field.duty_end``."""
    ended = deps.field.end_duty(current_duty(deps, user).user_id)
    if ended is not None:
        audit(request, "field.duty_end", target=ended.unit, details={"duty": ended.id})
    return {"username": user.username, **duty_json(None)}


def _camera_names(deps: AppDeps) -> dict[str, dict[str, Any]]:
    return {str(c["id"]): {"name": str(c.get("name") or c["id"]), "site": c.get("site")}
            for c in deps.live.camera_info()}


def _alarm_card(row: AlarmRow, progress: dict[str, str],
                cameras: dict[str, dict[str, Any]]) -> dict[str, Any]:
    camera = cameras.get(row.camera_id, {"name": row.camera_id, "site": None})
    return alarm_json(row) | {
        "progress": row.state if row.state != "dispatched" else progress.get(row.id, "dispatched"),
        "camera_name": camera["name"], "site": camera["site"],
        "snapshot_url": f"/api/events/{row.id}/snapshot.jpg",
        "clip_url": f"/cameras/{row.camera_id}/recordings?at={iso(row.event_at)}"}


def _cards(deps: AppDeps, found: Assignments, scope: CameraScope) -> list[dict[str, Any]]:
    """One card per incident (or per alarm outside any incident), in queue order."""
    cameras = _camera_names(deps)
    cards: dict[str, dict[str, Any]] = {}
    for row in found.alarms:
        key = row.incident_id or row.id
        card = cards.setdefault(key, {"key": key, "incident": None, "procedure": None,
                                      "alarms": [], "photos": []})
        card["alarms"].append(_alarm_card(row, found.progress, cameras))
    service = deps.response
    for card in cards.values():
        alarm_ids = [a["id"] for a in card["alarms"]]
        incident_id = card["alarms"][0]["incident_id"]
        if incident_id is not None:
            incident = service.incidents.get(incident_id)
            card["incident"] = incident_json(incident) | {
                "cameras": scope.visible(list(incident.cameras))}
            card["procedure"] = service.sop.checklist(incident_id)
        photos = deps.field.photos(incident_id=incident_id, alarm_ids=alarm_ids)
        card["photos"] = [photo_json(p) for p in photos if scope.allows(p.camera_id)]
    return list(cards.values())


@router.get("/assignments")
def assignments(deps: Deps, scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """The alarms dispatched to the caller's unit, grouped by incident (empty off duty).

    Open alarms, and those resolved in the last 12 hours; each with its snapshot
    route (redacted unless unmasked), recording link, the unit's progress
    (``dispatched``, ``accept``, ``en_route``, ``on_scene``, ``on_hold``, ``resolved``),
    its incident with location and procedure checklist, and the field photos.
    """
    duty = deps.field.duty_of(user.user_id)
    if duty is None:
        return {**duty_json(None), "items": []}
    found = deps.field.assignments([duty.unit], scoped_cameras(scope))
    return {**duty_json(duty), "items": _cards(deps, found, scope)}


@router.post("/alarms/{alarm_id}/{action}", responses=OFF_DUTY)
def field_action(alarm_id: str, action: FieldAction, body: FieldActionIn,
                 caller: FieldCaller) -> dict[str, Any]:
    """Accept, en route, on scene or resolve an alarm dispatched to the caller's unit.

    403 when it is not dispatched to that unit; 409 off duty or when the move is
    illegal in the alarm's state (the message names it); 422 resolving without a verdict.
    """
    deps, user = caller.deps, caller.user
    row = load_alarm(deps.response, alarm_id, caller.scope)  # out of scope: 403 first
    duty = current_duty(deps, user)
    if row.unit != duty.unit:
        raise HTTPException(403, f"alarm {alarm_id} is not dispatched to your unit "
                                 f"{duty.unit}")
    request_ = ActionRequest(Action(action.value), reason=body.note, verdict=body.verdict,
                             version=body.version)
    with http_errors():
        after = deps.response.act(alarm_id, request_, field_actor(caller.request, user, duty))
    progress = deps.field.assignments([duty.unit], [after.camera_id]).progress
    return _alarm_card(after, progress, _camera_names(deps))


@router.post("/position", status_code=201, responses=OFF_DUTY)
def post_position(body: PositionIn, deps: Deps, user: Handler) -> PositionOut:
    """Share the caller's position while on duty (opt-in in the app; kept
    ``retention.field_positions`` days). 422 names a latitude or longitude out of range."""
    duty = current_duty(deps, user)
    with http_errors():
        row = deps.field.add_position(duty, body.lat, body.lon, body.accuracy_m)
    return position_out(row)


@router.get("/positions")
def list_positions(deps: Deps, _user: Viewer) -> list[PositionOut]:
    """Each unit's last known position (for the map), by unit."""
    return [position_out(row) for row in deps.field.last_positions()]
