"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kuzet import __version__
from kuzet.api.auth import current_principal
from kuzet.api.deps import AppDeps
from kuzet.api.error_pages import http_error_answer, server_error_answer
from kuzet.api.errors import store_unavailable_answer
from kuzet.api.methods import AllowHeader
from kuzet.api.routers import PROTECTED_ROUTERS, PUBLIC_ROUTERS, include_routers
from kuzet.api.routers.console import WEB_DIR

# Swagger UI 5 files shipped in the fastapi-offline wheel (FastAPI's default
# loads them from a CDN, which offline sites cannot reach).
API_DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))

log = logging.getLogger(__name__)

SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """ASGI middleware adding security headers to every HTTP response.

    Pure ASGI (not ``BaseHTTPMiddleware``) so streaming responses pass through
    unbuffered and client disconnects still reach them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap ``send`` to add the headers on ``http.response.start``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    deps: AppDeps = app.state.deps
    log.info("API up: %d cameras", len(deps.live.camera_info()))
    yield
    log.info("API stopping")
    if "live_leases" in vars(deps):  # polled cameras stop rendering with the API
        deps.live_leases.close()
    if "citizen" in vars(deps):  # refusal counts still held in memory
        deps.citizen.rejections.flush()


def create_app(deps: AppDeps, protected_dependencies: Sequence[Any] = ()) -> FastAPI:
    """Build the API and console application.

    Args:
        deps: Store, media, bus and live view; the caller owns their lifecycle.
        protected_dependencies: Extra dependencies on every non-public route;
            authentication (``api.auth.current_principal``) is always applied first.

    Returns:
        The ASGI application (serve it with uvicorn).

    Example:
        >>> app = create_app(AppDeps(store, media, bus, live))  # doctest: +SKIP
        >>> uvicorn.run(app, timeout_graceful_shutdown=3)  # doctest: +SKIP
    """
    app = FastAPI(
        title="Kuzet",
        version=__version__,
        description="Cameras, live views and evidence-backed events.",
        lifespan=_lifespan,
        # The API docs are served behind authentication by routers.auth.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.deps = deps
    app.add_exception_handler(OperationalError, store_unavailable_answer)
    # Pages for browsers, JSON for the API (api.error_pages).
    app.add_exception_handler(HTTPException, http_error_answer)
    app.add_exception_handler(Exception, server_error_answer)
    app.add_middleware(SecurityHeaders)
    routes = [route for router in (*PUBLIC_ROUTERS, *PROTECTED_ROUTERS) for route in router.routes]
    app.add_middleware(AllowHeader, routes=routes)
    # Swagger UI's own JS/CSS (no data; the /docs page itself needs sign-in).
    app.mount("/static/apidocs", StaticFiles(directory=API_DOCS_ASSETS), name="apidocs")
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    include_routers(app, [Depends(current_principal), *protected_dependencies])
    return app
