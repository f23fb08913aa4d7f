"""All routers, included in one place.

Issue #4 (authentication) adds its dependency here, once, through
``protected_dependencies``; ``/healthz`` stays public.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI

from kuzet.api.routers import cameras, console, counts, events, health, unmask

PUBLIC_ROUTERS = (health.router,)
PROTECTED_ROUTERS = (cameras.router, events.router, console.router, counts.router, unmask.router)


def include_routers(app: FastAPI, protected_dependencies: Sequence[Any] = ()) -> None:
    """Mount every router on ``app``.

    Args:
        app: The application.
        protected_dependencies: ``Depends(...)`` objects applied to every route
            except the public ones (e.g. authentication).
    """
    for router in PUBLIC_ROUTERS:
        app.include_router(router)
    for router in PROTECTED_ROUTERS:
        app.include_router(router, dependencies=list(protected_dependencies))
