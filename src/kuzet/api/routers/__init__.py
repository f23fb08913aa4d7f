"""All routers, included in one place.

Every router in ``PROTECTED_ROUTERS`` requires a signed-in principal
(``create_app`` passes ``api.auth.current_principal`` as a protected dependency)
and is built with ``APIRouter(route_class=AuthFirstRoute)`` so that the caller is
authenticated before the body is read (a stranger gets 401, never 400/422);
add new routers there. Only ``/healthz``, the sign-in pages, the citizen report
intake, ``/metrics`` (bearer token) and published transparency reports are public.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from kuzet.api.auth import AuthFirstRoute
from kuzet.api.routers import (
    alarm_history,
    alarms,
    analytics,
    auth,
    cameras,
    citizen,
    citizen_public,
    console,
    counts,
    events,
    evidence,
    face_sightings,
    field,
    field_pages,
    field_photos,
    handover,
    health,
    homes,
    identity_pages,
    incidents,
    map_pages,
    maps,
    matches,
    metrics,
    plates,
    plates_pages,
    procedures,
    recordings,
    response_pages,
    shifts,
    supervision,
    transparency,
    unmask,
    users,
    video_pages,
    watchlists,
    webhooks,
)

# Public: the liveness probe and the sign-in endpoints (they carry no data); the citizen
# report form, API and status page (off unless configured; no personal data out);
# /metrics (its own bearer token); published transparency reports.
PUBLIC_ROUTERS = (health.router, auth.public_router, citizen_public.router, metrics.router,
                  transparency.public_router)
PROTECTED_ROUTERS = (
    cameras.router,
    events.router,
    console.router,
    homes.router,
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
    face_sightings.router,
    alarms.router,
    incidents.router,
    recordings.router,
    video_pages.router,
    analytics.router,
    handover.router,
    procedures.router,
    supervision.router,
    alarm_history.router,
    response_pages.router,
    shifts.router,
    webhooks.router,
    field_photos.router,  # before field: /alarms/{id}/photos is not an /alarms/{id}/{action}
    field.router,
    field_pages.router,
    citizen.router,
    transparency.router,
    maps.router,
    map_pages.router,
)


def include_routers(app: FastAPI, protected_dependencies: Sequence[Any] = ()) -> None:
    """Mount every router on ``app``.

    Args:
        app: The application.
        protected_dependencies: ``Depends(...)`` objects applied to every route
            except the public ones (e.g. authentication).

    Raises:
        TypeError: A protected route is not an :class:`AuthFirstRoute`.
    """
    for router in PROTECTED_ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and not isinstance(route, AuthFirstRoute):
                raise TypeError(f"{route.path}: protected routes need route_class=AuthFirstRoute")
    for router in PUBLIC_ROUTERS:
        app.include_router(router)
    for router in PROTECTED_ROUTERS:
        app.include_router(router, dependencies=list(protected_dependencies))
