"""Console pages of the response loop: the operator queue, one incident, the history search.

The pages are shells; their data comes from the alarm, incident and history JSON
routes (which check every permission and scope again) and live changes from the
SSE stream. Times are shown in the site's zone, labelled.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kuzet.api.alarm_access import Reader, load_incident
from kuzet.api.auth import AuthFirstRoute, CameraScope, ScopedCameras, require
from kuzet.api.deps import Deps, LiveDep
from kuzet.api.routers.alarm_history import may_export_history
from kuzet.api.templating import templates
from kuzet.config.response import Priority
from kuzet.config.rules import known_event_kinds
from kuzet.privacy.principal import Permission, Principal
from kuzet.response.states import AlarmState, Verdict

router = APIRouter(route_class=AuthFirstRoute, tags=["console"], include_in_schema=False)
Handler = Annotated[Principal, require(Permission.HANDLE_EVENTS)]
Searcher = Annotated[Principal, require(Permission.SEARCH)]


def _sectors(deps: Deps, scope: CameraScope) -> list[dict[str, str]]:
    """Sectors holding a camera of the caller's scope: id and display name."""
    routing = deps.response.routing
    held = {sector for camera, sector in routing.camera_sector.items() if scope.allows(camera)}
    return [{"id": sid, "name": sector.name or sid} for sid, sector in routing.sectors.items()
            if sid in held or scope.unrestricted]


def _choices(live: LiveDep, scope: CameraScope, user: Principal,
             deps: Deps) -> dict[str, Any]:
    """Filter choices and what the user may do (for the page's script)."""
    cameras = [{"id": str(c["id"]), "name": str(c.get("name") or c["id"]),
                "site": c.get("site")} for c in live.camera_info() if scope.allows(str(c["id"]))]
    return {
        "cameras": cameras,
        "sites": sorted({str(c["site"]) for c in cameras if c["site"]}),
        "sectors": _sectors(deps, scope),
        "kinds": sorted(str(k) for k in known_event_kinds()),
        "states": [s.value for s in AlarmState],
        "priorities": [p.value for p in sorted(Priority, key=lambda p: p.rank)],
        "verdicts": [v.value for v in Verdict],
        "me": {"username": user.username, "user_id": user.user_id,
               "handle": user.can(Permission.HANDLE_EVENTS),
               "supervise": user.can(Permission.SUPERVISE_ALARMS),
               "export": may_export_history(user)},
    }  # fmt: skip


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, deps: Deps, live: LiveDep, scope: ScopedCameras,
               user: Handler) -> HTMLResponse:
    """The operator queue: unhandled alarms first, by priority then age, live.

    ``?sector=`` (repeatable) preselects the sector filter; the page keeps the
    choice in its URL.
    """
    choices = _choices(live, scope, user, deps)
    known = {s["id"] for s in choices["sectors"]}
    chosen = [s for s in request.query_params.getlist("sector") if s in known]
    return templates.TemplateResponse(
        request, "queue.html", {"page": "queue", "choices": choices, "chosen_sectors": chosen})


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str, deps: Deps, live: LiveDep,
                  scope: ScopedCameras, user: Reader) -> HTMLResponse:
    """One incident: alarms with evidence, timeline, procedure, actions (403 out of scope)."""
    row = load_incident(deps.response, incident_id, scope)
    context = {"page": "incident", "incident_id": row.id,
               "choices": _choices(live, scope, user, deps)}
    return templates.TemplateResponse(request, "incident.html", context)


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request, deps: Deps, live: LiveDep, scope: ScopedCameras,
                 user: Searcher) -> HTMLResponse:
    """Alarm history search with CSV export (for those who may export)."""
    return templates.TemplateResponse(
        request, "history.html",
        {"page": "history", "choices": _choices(live, scope, user, deps)})
