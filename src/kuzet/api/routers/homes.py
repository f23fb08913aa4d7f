"""Role homes of the console: the admin page, the analyst's search page and the
camera health overview with outage history.

``/`` redirects each role to its home (``routers.console.home``); operators and
supervisors land on the queue, auditors on the audit trail. Each page requires the
permission of the work done on it, as every console page does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kuzet.api.auth import AuthFirstRoute, CameraScope, ScopedCameras, audit
from kuzet.api.config_view import config_rows
from kuzet.api.deps import Deps
from kuzet.api.outages import HISTORY_DAYS, outage_history, outage_totals
from kuzet.api.routers.cameras import list_cameras
from kuzet.api.routers.identity_pages import require_any
from kuzet.api.templating import templates
from kuzet.privacy.principal import Permission, Principal

router = APIRouter(route_class=AuthFirstRoute, tags=["console"], include_in_schema=False)
P = Permission
AdminUser = Annotated[Principal, require_any(P.MANAGE_USERS, P.MANAGE_CAMERAS, P.MANAGE_RULES)]
HealthReader = Annotated[Principal, require_any(P.MANAGE_CAMERAS, P.HANDLE_EVENTS)]
Searcher = Annotated[Principal, require_any(P.SEARCH)]


def _camera_health(deps: Deps, scope: CameraScope) -> dict[str, Any]:
    """Cameras with their health and the outages of the last days (the caller's cameras)."""
    cameras = list_cameras(deps.live, scope)
    outages = outage_history(deps.store.events, [c.id for c in cameras])
    totals = outage_totals(outages)
    return {"cameras": cameras, "outages": outages, "totals": totals, "days": HISTORY_DAYS,
            "offline": sum(1 for c in cameras if c.health and c.health.state == "offline")}


def _sectors(deps: Deps) -> list[dict[str, Any]]:
    routing = deps.response.routing
    return [{"id": sector_id, "name": sector.name or sector_id,
             "cameras": sorted(c for c, s in routing.camera_sector.items() if s == sector_id),
             "sites": list(sector.sites)}
            for sector_id, sector in routing.sectors.items()]  # fmt: skip


def _config(deps: Deps) -> dict[str, list[tuple[str, str]]]:
    recording = deps.recordings is not None
    return config_rows({
        "site": {"timezone": deps.timezone or "UTC", "recording": recording},
        "api": deps.api, "privacy": deps.privacy, "security": deps.security,
    })  # fmt: skip


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, deps: Deps, scope: ScopedCameras,
               user: AdminUser) -> HTMLResponse:
    """The admin's home: users, cameras (status, outage history), sites and sectors,
    and the running configuration read-only (secrets withheld)."""
    users = deps.auth.users.list() if user.can(P.MANAGE_USERS) else None
    health = _camera_health(deps, scope)
    sites = sorted({c.site for c in health["cameras"] if c.site})
    audit(request, "config.view", target="admin")
    context = {"page": "admin", "users": users, "sites": sites, "sectors": _sectors(deps),
               "config": _config(deps), **health}
    return templates.TemplateResponse(request, "admin.html", context)


@router.get("/cameras/health", response_class=HTMLResponse)
def camera_health_page(request: Request, deps: Deps, scope: ScopedCameras,
                       _user: HealthReader) -> HTMLResponse:
    """Every camera of the caller's with its status, and its outages of the last days."""
    context = {"page": "camera-health", **_camera_health(deps, scope)}
    return templates.TemplateResponse(request, "camera_health.html", context)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, deps: Deps, scope: ScopedCameras,
                _user: Searcher) -> HTMLResponse:
    """The analyst's home: search events (alarm history), plate reads and faces, and
    the analytics, from one page."""
    cameras = list_cameras(deps.live, scope)
    return templates.TemplateResponse(request, "search.html",
                                      {"page": "search", "cameras": cameras})
