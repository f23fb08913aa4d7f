"""Authentication and authorisation dependencies for every route.

``current_principal`` is applied to every protected router (see
``routers.include_routers``); routes then ask for what they need:

    @router.get("/api/things/{camera_id}")
    def thing(camera_id: str, user: Requires[...], scope: ScopedCameras): ...

- :data:`CurrentUser`: the signed-in :class:`Principal` (401 / redirect to ``/login``).
- :func:`require`: ``Annotated[Principal, require(Permission.X)]`` (403 without it).
- :data:`ScopedCameras`: the caller's camera scope; ``scope.check(camera_id)`` gives
  403 out of scope, ``scope.visible(ids)`` filters lists, ``scope.query_cameras``
  narrows repository queries.
- :func:`audit`: one call to the audit trail with actor and address filled in.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute

from kuzet.api.deps import AppDeps, Deps, LiveDep, get_deps
from kuzet.api.errors import TOO_LARGE, document_errors
from kuzet.api.uploads import read_capped, upload_fields
from kuzet.config.security import SecurityConfig
from kuzet.privacy.auth.tokens import TOKEN_PREFIX, ConsoleSession
from kuzet.privacy.principal import Permission, Principal

SESSION_COOKIE = "kuzet_session"
CSRF_COOKIE = "kuzet_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Paths answered with JSON; every other protected GET is a console page (-> /login).
API_PREFIXES = ("/api/", "/auth/", "/openapi.json")


def client_ip(request: Request) -> str | None:
    """The client address (X-Forwarded-For is applied only from ``api.trusted_proxies``)."""
    return request.client.host if request.client else None


def _unauthenticated(request: Request, message: str) -> HTTPException:
    path = request.url.path
    if request.method == "GET" and not path.startswith(API_PREFIXES):
        target = quote(path + (f"?{request.url.query}" if request.url.query else ""), safe="")
        return HTTPException(303, "sign in first", headers={"Location": f"/login?next={target}"})
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


async def _check_csrf(request: Request, session: ConsoleSession) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, session.csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token")


async def current_principal(request: Request, deps: Deps) -> Principal:
    """Who is calling: a bearer token (``Authorization: Bearer kz_...``) or the session cookie.

    Cookie-authenticated POST/PUT/PATCH/DELETE must carry the session's CSRF token
    (``X-CSRF-Token`` header or ``csrf_token`` form field); bearer clients are exempt.

    Raises:
        HTTPException: 401 (API) or 303 to ``/login`` (console pages) when not
            signed in; 403 on a missing CSRF token.
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    auth = deps.auth
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.startswith(TOKEN_PREFIX):
            raise _unauthenticated(request, "unsupported Authorization header")
        principal = await run_in_threadpool(auth.from_token, secret.strip())
        if principal is None:
            raise _unauthenticated(request, "invalid, expired or revoked token")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        found = await run_in_threadpool(auth.from_session, cookie) if cookie else None
        if found is None:
            raise _unauthenticated(request, "not signed in")
        principal, session = found
        if request.method in UNSAFE_METHODS:
            await _check_csrf(request, session)
        request.state.csrf_token = session.csrf_token
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


class AuthFirstRoute(APIRoute):
    """A route that authenticates before its body and parameters are read.

    FastAPI parses a JSON or form body before it runs any dependency, so a
    malformed request from a stranger would get 400/422 (and learn the route's
    schema) instead of 401. This route class runs :func:`current_principal`
    first; the dependency then finds the principal cached on ``request.state``.
    Every protected router uses it (``routers.include_routers`` checks). Its
    error answers (401, 403, 404, 400) are documented in the OpenAPI spec.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.upload_fields = upload_fields(self)
        if self.upload_fields:
            self.responses = {**TOO_LARGE, **self.responses}
        document_errors(self)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The usual handler, behind authentication (and an upload's size cap)."""
        handler = super().get_route_handler()

        async def authenticated(request: Request) -> Response:
            # An override (a test's stand-in) runs as the ordinary dependency instead.
            if current_principal not in request.app.dependency_overrides:
                await current_principal(request, get_deps(request))
            if self.upload_fields:
                await read_capped(request, self.upload_fields)
            return await handler(request)

        return authenticated


def still_signed_in(request: Request, deps: AppDeps) -> Callable[[], bool]:
    """A check that the request's credential (token or session cookie) is still valid.

    Long-lived streams call it now and then and stop when it turns false.
    """
    header = request.headers.get("authorization", "")
    cookie = request.cookies.get(SESSION_COOKIE)
    secret = header.partition(" ")[2].strip()

    def check() -> bool:
        if header:
            return deps.auth.from_token(secret) is not None
        return cookie is not None and deps.auth.from_session(cookie) is not None

    return check


def require(permission: Permission) -> Any:
    """A dependency giving the principal if it holds ``permission`` (else 403).

    Example:
        >>> Viewer = Annotated[Principal, require(Permission.VIEW_LIVE)]  # doctest: +SKIP
    """

    def check(principal: CurrentUser) -> Principal:
        if not principal.can(permission):
            raise HTTPException(403, f"your role ({principal.role}) lacks {permission.value!r}")
        return principal

    check.__name__ = f"require_{permission.value}"
    return Depends(check)


@dataclass(frozen=True, slots=True)
class CameraScope:
    """The caller's cameras: known camera ids and sites, filtered by the principal's scope.

    Attributes:
        principal: The caller.
        sites: Site of each configured camera.
    """

    principal: Principal

    sites: Mapping[str, str | None]

    @property
    def unrestricted(self) -> bool:
        """True when the principal sees every camera."""
        return self.principal.cameras is None and self.principal.sites is None

    def allows(self, camera_id: str) -> bool:
        """True when ``camera_id`` is within scope."""
        return self.principal.sees_camera(camera_id, self.sites.get(camera_id))

    def check(self, camera_id: str) -> None:
        """Raise 403 when ``camera_id`` is out of scope."""
        if not self.allows(camera_id):
            raise HTTPException(403, "this camera is outside your scope")

    def visible(self, camera_ids: Sequence[str]) -> list[str]:
        """The in-scope subset of ``camera_ids``, order kept."""
        return [c for c in camera_ids if self.allows(c)]

    def query_cameras(self, requested: Sequence[str]) -> list[str] | None:
        """Cameras to query: None = no restriction, ``[]`` = nothing visible.

        Raises:
            HTTPException: 403 when a requested camera is out of scope.
        """
        for camera_id in requested:
            self.check(camera_id)
        if requested or self.unrestricted:
            return list(requested) or None
        explicit = sorted(self.principal.cameras or ())
        return sorted(set(self.visible(list(self.sites)) + explicit))


def camera_scope(principal: CurrentUser, live: LiveDep) -> CameraScope:
    """The caller's :class:`CameraScope` over the configured cameras."""
    sites = {str(info["id"]): info.get("site") for info in live.camera_info()}
    return CameraScope(principal, sites)


ScopedCameras = Annotated[CameraScope, Depends(camera_scope)]


CALLER = "<caller>"


def audit(
    request: Request,
    action: str,
    *,
    actor: str | None = CALLER,
    camera_id: str | None = None,
    target: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Record ``action`` in the audit trail with the address (and by default the caller).

    Args:
        request: The request (address, the app's audit log, and the principal set
            by authentication).
        action: Dotted action name, e.g. ``auth.login`` or ``event.search``.
        actor: Who acted; defaults to the signed-in principal.
        camera_id: Camera concerned, if any.
        target: Object acted on (event id, user name ...).
        details: Extra JSON-able facts (query string, reason ...).
    """
    if actor == CALLER:
        principal = getattr(request.state, "principal", None)
        actor = principal.username if isinstance(principal, Principal) else None
    deps: AppDeps = request.app.state.deps
    deps.audit.record(
        action,
        actor=actor,
        ip=client_ip(request),
        camera_id=camera_id,
        target=target,
        details=details,
    )


def secure_cookies(request: Request, config: SecurityConfig) -> bool:
    """Whether cookies get ``Secure``: the config, else whether the request is https."""
    if config.secure_cookies is not None:
        return config.secure_cookies
    return request.url.scheme == "https"


def set_session_cookies(
    response: Response,
    request: Request,
    session_id: str,
    session: ConsoleSession,
    deps: AppDeps,
) -> None:
    """Set the HttpOnly session cookie and the readable CSRF cookie (double submit)."""
    secure = secure_cookies(request, deps.security)
    max_age = int(deps.security.session_max_s)
    response.set_cookie(
        SESSION_COOKIE, session_id, max_age=max_age, httponly=True, secure=secure, samesite="strict"
    )
    response.set_cookie(
        CSRF_COOKIE, session.csrf_token, max_age=max_age, secure=secure, samesite="strict"
    )


def clear_session_cookies(response: Response) -> None:
    """Remove both cookies."""
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
