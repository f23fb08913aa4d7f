"""Error answers as console pages for browsers, JSON for API clients.

A browser asking for a page (``Accept: text/html``, a path outside the API)
that meets a 403, 404, 405 or 500 gets the error as a page in the console's
style, with the navigation of what the user may use; API clients and every
``/api/...`` path keep the JSON body (``{"detail": ...}``) the OpenAPI spec
documents. A 401 on a page never reaches here: authentication answers 303 to
``/login`` for page requests (``api.auth``).
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException

from kuzet.api.auth import API_PREFIXES, current_principal
from kuzet.api.deps import get_deps
from kuzet.api.navigation import N_
from kuzet.api.templating import templates

log = logging.getLogger(__name__)

# Status -> (title, explanation); msgids, translated when rendered.
PAGES: dict[int, tuple[str, str]] = {
    401: (N_("Sign in first"), N_("This page needs you to be signed in.")),
    403: (N_("Not allowed"),
          N_("Your role may not use this page, or the camera is outside your scope. "
             "Ask an administrator if you need it.")),
    404: (N_("Not found"), N_("There is no such page or record, or it is no longer kept.")),
    405: (N_("Not allowed here"), N_("This address does not take that kind of request.")),
    500: (N_("Something went wrong"),
          N_("The server could not complete the request. It has been logged; try again, "
             "and tell an administrator if it keeps happening.")),
}


def wants_page(request: Request) -> bool:
    """Whether ``request`` is a browser asking for a page (not the API)."""
    if request.url.path.startswith((*API_PREFIXES, "/static/")):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


async def _find_user(request: Request) -> None:
    """Puts the caller on ``request.state`` when no route did (an unknown path's 404), so
    the page shows their navigation; a stranger's page shows none."""
    if getattr(request.state, "principal", None) is not None:
        return
    if getattr(request.app.state, "deps", None) is None:
        return
    try:
        await current_principal(request, get_deps(request))
    except HTTPException:  # not signed in: the page is shown without navigation
        return


def error_page(request: Request, status: int, detail: str = "") -> Response:
    """The error as a console page (``error.html``)."""
    title, explanation = PAGES.get(status, PAGES[500] if status >= 500 else PAGES[404])
    context = {"page": "error", "status": status, "title": title,  # msgids: the page
               "explanation": explanation, "detail": detail}  # translates them
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


async def http_error_answer(request: Request, exc: Exception) -> Response:
    """HTTP errors: a page for browsers (4xx/5xx in :data:`PAGES`), JSON otherwise."""
    assert isinstance(exc, HTTPException)  # registered for HTTPException only
    if exc.status_code in PAGES and exc.status_code != 401 and wants_page(request):
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if detail == HTTPStatus(exc.status_code).phrase:  # Starlette's default: says nothing
            detail = ""
        await _find_user(request)
        response = error_page(request, exc.status_code, detail)
        for name, value in (exc.headers or {}).items():
            response.headers.setdefault(name, value)
        return response
    return await http_exception_handler(request, exc)


async def server_error_answer(request: Request, exc: Exception) -> Response:
    """An unhandled error (500): a page for browsers, plain text otherwise (logged)."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    if wants_page(request):
        return error_page(request, 500)
    return PlainTextResponse("Internal Server Error", status_code=500)
