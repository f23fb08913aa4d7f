"""Sign-in, sign-out, who am I, OIDC single sign-on, and the API docs (behind sign-in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from kuzet.api.auth import (
    SESSION_COOKIE,
    AuthFirstRoute,
    CurrentUser,
    audit,
    clear_session_cookies,
    client_ip,
    set_session_cookies,
)
from kuzet.api.deps import AppDeps, Deps
from kuzet.api.templating import templates
from kuzet.privacy.auth import LoginError, Throttled
from kuzet.privacy.auth.oidc import OidcError

OIDC_STATE_COOKIE = "kuzet_oidc_state"
# A failed sign-in's user name goes into the audit trail and back into the form:
# no longer than any real user name can be (a 1 MB "name" is stored as 128 chars).
MAX_SHOWN_NAME = 128

public_router = APIRouter(tags=["auth"])
router = APIRouter(route_class=AuthFirstRoute, tags=["auth"])


def safe_next(value: object) -> str:
    """A local path to go to after sign-in (anything else becomes ``/``)."""
    text = value if isinstance(value, str) else ""
    if not text.startswith("/") or text.startswith(("//", "/\\")) or "\n" in text:
        return "/"
    return text


@dataclass(frozen=True, slots=True)
class _Credentials:
    username: str
    password: str
    next_url: str
    form: bool


async def _credentials(request: Request) -> _Credentials:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        return _Credentials(
            str(body.get("username") or ""), str(body.get("password") or ""), "/", False
        )
    form = await request.form()
    return _Credentials(
        str(form.get("username") or ""),
        str(form.get("password") or ""),
        safe_next(form.get("next")),
        True,
    )


def _check_origin(request: Request) -> None:
    # Login CSRF: a browser always sends Origin on a cross-site POST.
    origin = request.headers.get("origin")
    if origin and urlparse(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(403, "cross-origin sign-in refused")


def _login_page(request: Request, deps: AppDeps, **context: Any) -> HTMLResponse:
    status = int(context.pop("status_code", 200))
    values = {"page": "login", "next": "/", "error": None, "oidc": deps.auth.oidc is not None}
    values.update(context)
    return templates.TemplateResponse(request, "login.html", values, status_code=status)


@public_router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, deps: Deps, next: str = "/") -> HTMLResponse:  # noqa: A002
    """The sign-in form (no data: public)."""
    return _login_page(request, deps, next=safe_next(next))


def shown_name(name: str) -> str:
    """``name`` cut to ``MAX_SHOWN_NAME`` characters (with an ellipsis when cut)."""
    return name if len(name) <= MAX_SHOWN_NAME else name[:MAX_SHOWN_NAME] + "\u2026"


def _login_failed(
    request: Request, deps: AppDeps, creds: _Credentials, error: LoginError
) -> Response:
    actor = shown_name(creds.username) or None
    details: dict[str, Any] = {"reason": str(error)}
    if len(creds.username) > MAX_SHOWN_NAME:
        details["username_length"] = len(creds.username)
    audit(request, "auth.login_failed", actor=actor, details=details)
    if error.locked_now:
        audit(request, "auth.lockout", actor=actor, target=actor)
    status = 429 if isinstance(error, Throttled) else 401
    headers = {"Retry-After": str(int(error.retry_after))} if isinstance(error, Throttled) else {}
    if creds.form:
        page = _login_page(
            request,
            deps,
            next=creds.next_url,
            error=str(error),
            status_code=status,
            username=shown_name(creds.username),
        )
        page.headers.update(headers)
        return page
    return JSONResponse({"detail": str(error)}, status_code=status, headers=headers)


@public_router.post("/auth/login", responses={401: {}, 403: {}, 429: {}})
async def login(request: Request, deps: Deps) -> Response:
    """Sign in with a user name and password (a form from the console, or JSON).

    Sets the HttpOnly session cookie and the CSRF cookie; JSON clients get
    ``{"username", "role", "csrf_token"}`` back, the form is redirected to ``next``.
    """
    _check_origin(request)
    creds = await _credentials(request)
    try:
        session_id, session, user = await run_in_threadpool(
            deps.auth.login, creds.username, creds.password, client_ip(request)
        )
    except LoginError as error:
        return _login_failed(request, deps, creds, error)
    audit(request, "auth.login", actor=user.username)
    response: Response
    if creds.form:
        response = RedirectResponse(creds.next_url, status_code=303)
    else:
        body = {"username": user.username, "role": str(user.role), "csrf_token": session.csrf_token}
        response = JSONResponse(body)
    set_session_cookies(response, request, session_id, session, deps)
    return response


@router.post(
    "/auth/logout",
    responses={303: {"description": "Console form: back to the sign-in page"}},
)
async def logout(request: Request, deps: Deps, principal: CurrentUser) -> Response:
    """End the session (console form: back to ``/login``; JSON clients: ``{"ok": true}``)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await run_in_threadpool(deps.auth.sessions.revoke, cookie)
    audit(request, "auth.logout")
    wants_json = "application/json" in request.headers.get("accept", "")
    response: Response = (
        JSONResponse({"ok": True}) if wants_json else RedirectResponse("/login", status_code=303)
    )
    clear_session_cookies(response)
    return response


@router.get("/auth/me")
def me(request: Request, principal: CurrentUser) -> dict[str, Any]:
    """The signed-in user: name, role, permissions, camera/site scope, CSRF token."""
    return {
        "username": principal.username,
        "role": str(principal.role),
        "permissions": sorted(str(p) for p in principal.permissions),
        "cameras": None if principal.cameras is None else sorted(principal.cameras),
        "sites": None if principal.sites is None else sorted(principal.sites),
        "token": principal.token_id is not None,
        "csrf_token": getattr(request.state, "csrf_token", None),
    }


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, principal: CurrentUser) -> JSONResponse:
    """The OpenAPI schema (signed-in users only)."""
    return JSONResponse(request.app.openapi())


@router.get("/docs", include_in_schema=False)
def docs(principal: CurrentUser) -> HTMLResponse:
    """Swagger UI (signed-in users only)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json", title="Kuzet API",
        swagger_js_url="/static/apidocs/swagger-ui-bundle.js",
        swagger_css_url="/static/apidocs/swagger-ui.css",
        swagger_favicon_url="/static/apidocs/favicon.png",
    )


def _redirect_uri(request: Request, deps: AppDeps) -> str:
    assert deps.security.oidc is not None
    return deps.security.oidc.redirect_url or str(request.url_for("oidc_callback"))


@public_router.get("/auth/oidc/login", include_in_schema=False)
def oidc_login(request: Request, deps: Deps, next: str = "/") -> Response:  # noqa: A002
    """Redirect to the identity provider (404 when OIDC is not configured)."""
    if deps.auth.oidc is None:
        raise HTTPException(404, "OIDC sign-in is not configured")
    try:
        url, state = deps.auth.oidc.begin(_redirect_uri(request, deps), safe_next(next))
    except OidcError as error:
        return _login_page(request, deps, error=str(error), status_code=502)
    response = RedirectResponse(url, status_code=303)
    secure = request.url.scheme == "https"
    # Lax, not Strict: the provider's redirect back is a cross-site top-level navigation.
    response.set_cookie(
        OIDC_STATE_COOKIE, state, max_age=600, httponly=True, secure=secure, samesite="lax"
    )
    return response


@public_router.get("/auth/oidc/callback", name="oidc_callback", include_in_schema=False)
def oidc_callback(request: Request, deps: Deps, state: str = "", code: str = "") -> Response:
    """Finish an OIDC sign-in: validate, provision the user, start a session."""
    oidc = deps.auth.oidc
    if oidc is None:
        raise HTTPException(404, "OIDC sign-in is not configured")
    try:
        if not state or state != request.cookies.get(OIDC_STATE_COOKIE) or not code:
            raise OidcError("sign-in was not started in this browser; try again")
        identity, next_url = oidc.finish(state, code)
        user, previous_role = deps.auth.provision(identity)
    except OidcError as error:
        details = {"reason": str(error), "method": "oidc"}
        audit(request, "auth.login_failed", actor=None, details=details)
        return _login_page(request, deps, error=str(error), status_code=401)
    if previous_role is not None:
        change = {"from": str(previous_role), "to": str(user.role), "by": "oidc"}
        audit(request, "user.role", actor=user.username, target=user.username, details=change)
    session_id, session = deps.auth.start_session(user, client_ip(request))
    audit(request, "auth.login", actor=user.username, details={"method": "oidc"})
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookies(response, request, session_id, session, deps)
    response.delete_cookie(OIDC_STATE_COOKIE)
    return response
