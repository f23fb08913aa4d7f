"""All routers, included in one place.

Every router in ``PROTECTED_ROUTERS`` requires a signed-in principal
(``create_app`` passes ``api.auth.current_principal`` as a protected dependency);
add new routers there. Only ``/healthz`` and the sign-in pages are public.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI

from kuzet.api.routers import (
    auth,
    cameras,
    console,
    counts,
    events,
    evidence,
    health,
    identity_pages,
    matches,
    plates,
    plates_pages,
    unmask,
    users,
    watchlists,
)

# Public: the liveness probe and the sign-in endpoints (they carry no data).
PUBLIC_ROUTERS = (health.router, auth.public_router)
PROTECTED_ROUTERS = (
    cameras.router,
    events.router,
    console.router,
    auth.router,
    users.router,
    evidence.router,
    counts.router,
    unmask.router,
    identity_pages.router,
    plates.router,
    plates_pages.router,
    watchlists.router,
    matches.router,
)


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
