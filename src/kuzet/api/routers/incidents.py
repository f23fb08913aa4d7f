"""Incidents: list, create by hand, read with alarms and timeline, edit, link (merge)
alarms, split, merge incidents, comment, close. Every change is audited by the service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.alarm_access import (
    Handler,
    Reader,
    actor_of,
    http_errors,
    load_alarm,
    load_incident,
    scoped_cameras,
)
from kuzet.api.auth import AuthFirstRoute, CameraScope, ScopedCameras
from kuzet.api.deps import Deps
from kuzet.api.errors import BAD_QUERY
from kuzet.config.response import Priority
from kuzet.response.alarms import MAX_LIMIT
from kuzet.response.incidents import IncidentQuery, IncidentState, NewIncident
from kuzet.response.models import IncidentRow
from kuzet.response.service import ResponseService
from kuzet.response.views import alarm_json, incident_json

router = APIRouter(prefix="/api/incidents", route_class=AuthFirstRoute, tags=["incidents"])
AlarmIds = Field(min_length=1, max_length=200, description="Alarm ids.")


class IncidentFilters(BaseModel):
    """Query parameters of ``GET /api/incidents``."""

    model_config = ConfigDict(extra="forbid")
    state: list[IncidentState] = Field(default_factory=list, description="State; repeatable.")
    priority: list[Priority] = Field(default_factory=list, description="Priority; repeatable.")
    sector: list[str] = Field(default_factory=list, description="Sector (of the incident's "
                              "alarms' cameras); repeatable.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Page size.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")


class IncidentEdit(BaseModel):
    """Fields of an incident that can be changed (``PATCH``; unset = unchanged)."""

    model_config = ConfigDict(extra="forbid")
    type: str | None = Field(None, min_length=1, max_length=64, description="Incident type.")
    priority: Priority | None = Field(None, description="Priority.")
    description: str | None = Field(None, max_length=8000, description="What happened.")
    location: str | None = Field(None, max_length=500, description="Where, in words.")
    lat: float | None = Field(None, ge=-90, le=90, description="Latitude (WGS 84).")
    lon: float | None = Field(None, ge=-180, le=180, description="Longitude (WGS 84).")
    owner: str | None = Field(None, max_length=128, description="Username in charge.")


class IncidentIn(IncidentEdit):
    """``POST /api/incidents``: a phone call, a patrol report, or alarms grouped by hand."""

    type: str = Field(min_length=1, max_length=64, description="Incident type.")
    priority: Priority = Field(description="Priority.")
    alarm_ids: list[str] = Field(default_factory=list, max_length=200, description="Alarms.")


class LinkIn(BaseModel):
    """Alarms to link (``/alarms``) or split off (``/split``)."""

    model_config = ConfigDict(extra="forbid")
    alarm_ids: list[str] = AlarmIds
    reason: str | None = Field(None, max_length=2000, description="Why.")
    new_incident: bool = Field(False, description="Split: the alarms start a new incident.")


class MergeIn(BaseModel):
    """The incident merged into this one."""

    model_config = ConfigDict(extra="forbid")
    incident_id: str = Field(min_length=1, max_length=32, description="Incident to merge in.")


class TextIn(BaseModel):
    """A comment, or the reason of a close."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000, description="Text.")


def _check_alarms(service: ResponseService, alarm_ids: list[str], scope: CameraScope) -> None:
    """Alarm ids named in a body: unknown and out-of-scope ones are both 404, alike."""
    for alarm_id in alarm_ids:
        try:
            load_alarm(service, alarm_id, scope)
        except HTTPException as error:
            raise HTTPException(404, f"no alarm {alarm_id!r}") from error


def _detail(service: ResponseService, row: IncidentRow, scope: CameraScope) -> dict[str, Any]:
    """The incident, its alarms in scope and its timeline without out-of-scope entries."""
    alarms = service.alarms.of_incident(row.id)
    hidden = {a.id for a in alarms if not scope.allows(a.camera_id)}
    timeline = [e for e in service.desk.timeline(row.id)
                if e["alarm_id"] not in hidden
                and (e.get("camera_id") is None or scope.allows(str(e["camera_id"])))]
    visible = scope.visible(list(row.cameras))
    return incident_json(row) | {
        "cameras": visible, "alarms": [alarm_json(a) for a in alarms if a.id not in hidden],
        "timeline": timeline, "procedure": service.sop.checklist(row.id),
        "referrals": service.referrals.of([a.id for a in alarms if a.id not in hidden])}


@router.get("", responses=BAD_QUERY)
def list_incidents(deps: Deps, scope: ScopedCameras, _user: Reader,
                   filters: Annotated[IncidentFilters, Query()]) -> dict[str, Any]:
    """Incidents the caller may see, newest first (keyset pages)."""
    query = IncidentQuery(states=[str(s) for s in filters.state],
                          priorities=[str(p) for p in filters.priority],
                          sectors=list(filters.sector), cameras=scoped_cameras(scope),
                          limit=filters.limit, cursor=filters.cursor)
    try:
        page = deps.response.incidents.page(query)
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    items = [incident_json(i) | {"cameras": scope.visible(list(i.cameras))} for i in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


@router.post("", status_code=201)
def create_incident(body: IncidentIn, request: Request, deps: Deps, scope: ScopedCameras,
                    user: Handler) -> dict[str, Any]:
    """Open an incident by hand, optionally with alarms."""
    service = deps.response
    _check_alarms(service, body.alarm_ids, scope)
    new = NewIncident(body.type, body.priority, body.description or "", body.location,
                      body.lat, body.lon)
    with http_errors():
        row = service.desk.create(new, actor_of(request, user), body.alarm_ids)
        if body.owner:
            row = service.desk.edit(row.id, {"owner": body.owner}, actor_of(request, user))
    return _detail(service, row, scope)


@router.get("/{incident_id}")
def get_incident(incident_id: str, deps: Deps, scope: ScopedCameras,
                 _user: Reader) -> dict[str, Any]:
    """One incident with its alarms and timeline (transitions, comments, links)."""
    return _detail(deps.response, load_incident(deps.response, incident_id, scope), scope)


@router.patch("/{incident_id}")
def edit_incident(incident_id: str, body: IncidentEdit, request: Request, deps: Deps,
                  scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """Change type, priority, description, location or owner."""
    service = deps.response
    load_incident(service, incident_id, scope)
    values = body.model_dump(exclude_unset=True)
    if "priority" in values and values["priority"] is not None:
        values["priority"] = str(values["priority"])
    with http_errors():
        row = service.desk.edit(incident_id, values, actor_of(request, user))
    return _detail(service, row, scope)


@router.post("/{incident_id}/alarms")
def link_alarms(incident_id: str, body: LinkIn, request: Request, deps: Deps,
                scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """Link alarms to the incident (an alarm in another incident moves here)."""
    service = deps.response
    load_incident(service, incident_id, scope)
    _check_alarms(service, body.alarm_ids, scope)
    with http_errors():
        row = service.desk.link(incident_id, body.alarm_ids, actor_of(request, user),
                                body.reason)
    return _detail(service, row, scope)


@router.post("/{incident_id}/split")
def split_incident(incident_id: str, body: LinkIn, request: Request, deps: Deps,
                   scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """Unlink alarms; with ``new_incident`` they form a new incident (returned as ``new``)."""
    service = deps.response
    load_incident(service, incident_id, scope)
    _check_alarms(service, body.alarm_ids, scope)
    with http_errors():
        result = service.desk.split(incident_id, body.alarm_ids, actor_of(request, user),
                                    body.new_incident)
    new = _detail(service, result.new, scope) if result.new else None
    return _detail(service, result.incident, scope) | {"new": new}


@router.post("/{incident_id}/merge")
def merge_incident(incident_id: str, body: MergeIn, request: Request, deps: Deps,
                   scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """Merge another incident into this one (its alarms move here; it becomes ``merged``)."""
    service = deps.response
    load_incident(service, incident_id, scope)
    try:
        load_incident(service, body.incident_id, scope)
    except HTTPException as error:  # a body id: unknown and out of scope answer alike
        raise HTTPException(404, f"no incident {body.incident_id!r}") from error
    with http_errors():
        row = service.desk.merge(incident_id, body.incident_id, actor_of(request, user))
    return _detail(service, row, scope)


@router.post("/{incident_id}/comment")
def comment_incident(incident_id: str, body: TextIn, request: Request, deps: Deps,
                     scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """Add a comment to the timeline."""
    service = deps.response
    load_incident(service, incident_id, scope)
    with http_errors():
        row = service.desk.comment(incident_id, body.text, actor_of(request, user))
    return _detail(service, row, scope)


@router.post("/{incident_id}/close")
def close_incident(incident_id: str, body: TextIn, request: Request, deps: Deps,
                   scope: ScopedCameras, user: Handler) -> dict[str, Any]:
    """Close the incident (409 while any of its alarms is unresolved or a required
    procedure step is open; the message names them)."""
    service = deps.response
    load_incident(service, incident_id, scope)
    with http_errors():
        row = service.desk.close(incident_id, body.text, actor_of(request, user))
    return _detail(service, row, scope)
