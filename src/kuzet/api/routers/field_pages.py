"""The field app: a mobile-first page, its web manifest and service worker (installable PWA).

``/field`` is a shell; its data comes from ``/api/field/*`` (which checks every
permission again) and live changes from the SSE stream. The manifest and the
service worker are served under ``/field`` so the worker's scope is the app alone;
the worker caches only the app's shell (page, script, style, icons), never API
answers or evidence, so nothing private is kept on the phone beyond the page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kuzet.api.alarm_access import Handler
from kuzet.api.auth import AuthFirstRoute
from kuzet.api.routers.console import WEB_DIR
from kuzet.api.templating import templates
from kuzet.response.states import Verdict

router = APIRouter(route_class=AuthFirstRoute, tags=["console"], include_in_schema=False)
SCOPE = "/field"
THEME = "#12304a"


@router.get("/field", response_class=HTMLResponse)
def field_page(request: Request, user: Handler) -> HTMLResponse:
    """The field officer's app: duty, the unit's assignments, actions, photos, position."""
    choices: dict[str, Any] = {"me": {"username": user.username},
                               "verdicts": [v.value for v in Verdict]}
    return templates.TemplateResponse(request, "field.html",
                                      {"page": "field", "choices": choices, "theme": THEME})


@router.get("/field/manifest.webmanifest")
def manifest(_user: Handler) -> JSONResponse:
    """The web app manifest (installable: standalone, scope ``/field``, icons)."""
    icons = [{"src": f"/static/field-icon-{n}.png", "sizes": f"{n}x{n}", "type": "image/png",
              "purpose": "any"} for n in (192, 512)]
    icons.append({"src": "/static/field-icon.svg", "sizes": "any", "type": "image/svg+xml"})
    body = {"name": "Kuzet Field", "short_name": "Kuzet Field", "id": SCOPE,
            "start_url": SCOPE, "scope": SCOPE, "display": "standalone",
            "orientation": "any", "background_color": "#0e1620", "theme_color": THEME,
            "icons": icons}
    return JSONResponse(body, media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache"})


@router.get("/field/sw.js")
def service_worker(_user: Handler) -> Response:
    """The service worker, allowed the scope ``/field`` (page and ``/field/...``)."""
    script = (WEB_DIR / "static" / "field-sw.js").read_text(encoding="utf-8")
    return Response(script, media_type="text/javascript",
                    headers={"Service-Worker-Allowed": SCOPE, "Cache-Control": "no-cache"})
