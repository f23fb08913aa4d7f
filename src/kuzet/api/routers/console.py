"""The operations console: server-rendered pages; live data comes from the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kuzet.api.auth import AuthFirstRoute, CurrentUser, ScopedCameras, audit, require
from kuzet.api.deps import Deps, EventRepoDep, LiveDep
from kuzet.api.navigation import home_for
from kuzet.api.routers.cameras import list_cameras
from kuzet.api.schemas import EventOut
from kuzet.api.templating import WEB_DIR, templates
from kuzet.api.unmasking import unmask_until
from kuzet.privacy.principal import Permission, Principal

__all__ = ["WEB_DIR", "router", "templates"]

router = APIRouter(route_class=AuthFirstRoute, tags=["console"], include_in_schema=False)


@router.get("/", response_class=RedirectResponse, status_code=303)
def home(user: CurrentUser) -> RedirectResponse:
    """Each role's home (:func:`kuzet.api.navigation.home_for`): operators the queue,
    auditors the audit trail, admins the admin page, ..."""
    return RedirectResponse(home_for(user), status_code=303)


@router.get("/cameras", response_class=HTMLResponse)
def camera_grid(
    request: Request,
    live: LiveDep,
    scope: ScopedCameras,
    _user: Annotated[Principal, require(Permission.VIEW_LIVE)],
) -> HTMLResponse:
    """Camera grid (the user's cameras only, paged) and the live alert list."""
    cameras = list_cameras(live, scope)
    return templates.TemplateResponse(
        request, "console.html", {"cameras": cameras, "page": "cameras"}
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(
    request: Request,
    event_id: str,
    repo: EventRepoDep,
    deps: Deps,
    scope: ScopedCameras,
    user: Annotated[Principal, require(Permission.VIEW_EVENTS)],
) -> HTMLResponse:
    """One event: snapshot (badged when redacted for this viewer), times, camera, rule,
    labels and attributes (403 out of scope)."""
    stored = repo.get(event_id)
    if stored is None:
        return templates.TemplateResponse(
            request, "not_found.html", {"what": f"event {event_id}", "page": "event"},
            status_code=404,
        )
    if not scope.allows(stored.camera_id):
        raise HTTPException(403, "this camera is outside your scope")
    audit(request, "event.view", camera_id=stored.camera_id, target=event_id)
    event = EventOut.from_stored(stored)
    redacted = unmask_until(deps, user, stored.camera_id, event_id) is None
    context = {"event": event, "page": "event", "redacted": redacted}
    context["has_recording"] = deps.recordings is not None
    context["can_export"] = user.can(Permission.EXPORT)
    return templates.TemplateResponse(request, "event.html", context)


@router.get("/cameras/{camera_id}/recordings", response_class=HTMLResponse)
def timeline_page(  # noqa: PLR0913 - FastAPI dependencies
    request: Request,
    camera_id: str,
    deps: Deps,
    scope: ScopedCameras,
    user: Annotated[Principal, require(Permission.VIEW_EVENTS)],
    at: datetime | None = None,
) -> HTMLResponse:
    """A camera's recorded video over a span with its event markers (default: 1 min before
    ``at`` to 4 min after, or the last 5 min); ``since``/``until`` in the query override."""
    scope.check(camera_id)
    if deps.recordings is None:
        raise HTTPException(404, "recording is not enabled in this deployment")
    params = request.query_params
    if at is not None:  # ISO-8601 UTC; a time without an offset is taken as UTC
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    anchor = at or datetime.now(UTC) - timedelta(minutes=4)
    since = params.get("since") or (anchor - timedelta(minutes=1)).isoformat()
    until = params.get("until") or (anchor + timedelta(minutes=4)).isoformat()
    redacted = unmask_until(deps, user, camera_id) is None
    context = {"camera_id": camera_id, "since": since, "until": until, "page": "timeline",
               "at": None if at is None else at.isoformat(), "redacted": redacted}
    return templates.TemplateResponse(request, "timeline.html", context)
