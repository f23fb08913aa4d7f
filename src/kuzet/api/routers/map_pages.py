"""The console's map page (``/map``): site plans and the geographic map, live.

A shell: its data comes from ``/api/map/*``, ``/api/alarms``, ``/api/incidents``
and ``/api/field/positions`` (each checking permission and scope again) and its
live changes from the SSE stream.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kuzet.api.alarm_access import READ_PERMISSIONS
from kuzet.api.auth import AuthFirstRoute
from kuzet.api.map_access import Viewer
from kuzet.api.templating import templates
from kuzet.config.response import Priority
from kuzet.privacy.principal import Permission

router = APIRouter(route_class=AuthFirstRoute, tags=["console"], include_in_schema=False)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, user: Viewer) -> HTMLResponse:
    """Site plans and the geographic map with cameras, open alarms, incidents, sectors
    and field units; admins place cameras by clicking and dragging."""
    choices = {
        "priorities": [p.value for p in sorted(Priority, key=lambda p: p.rank)],
        "me": {"username": user.username,
               "edit": user.can(Permission.MANAGE_CAMERAS),
               "live": user.can(Permission.VIEW_LIVE),
               "alarms": any(user.can(p) for p in READ_PERMISSIONS)},
    }  # fmt: skip
    return templates.TemplateResponse(request, "map.html", {"page": "map", "choices": choices})
