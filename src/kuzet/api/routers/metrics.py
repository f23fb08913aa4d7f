"""`GET /metrics`: Prometheus text format, behind the config's bearer token (not a session).

404 while ``metrics.token`` is unset; 401 for a missing or wrong token.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import Response

from kuzet.api.deps import AppDeps, Deps
from kuzet.api.errors import ErrorOut
from kuzet.metrics.collect import CONTENT_TYPE, DetectorCounters, Sources, exposition
from kuzet.store.media import MediaStore

router = APIRouter(tags=["metrics"])
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition"},
    401: {"model": ErrorOut, "description": "Missing or wrong bearer token"},
    404: {"model": ErrorOut, "description": "Metrics are not enabled (no token configured)"},
}


def sources(deps: AppDeps) -> Sources:
    """What a scrape of this app reads."""
    stats = getattr(deps.live, "detector_stats", None)  # the runtime's supervisor has it

    def detectors() -> Sequence[DetectorCounters]:
        return list(stats()) if callable(stats) else []

    def citizen() -> tuple[int, Mapping[str, int]]:
        desk = deps.citizen
        return desk.accepted, dict(desk.rejections.totals)

    # Disk use is of the local media folder; a bucket's size is the S3 server's to report.
    local_root = deps.media.root if isinstance(deps.media, MediaStore) else None
    return Sources(deps.live.camera_health, deps.store.engine, deps.response.clock,
                   local_root, detectors if callable(stats) else None,
                   citizen if deps.citizen_config.enabled else None)


@router.get("/metrics", response_class=Response, responses=ANSWERS)
def metrics(deps: Deps, authorization: Annotated[str, Header()] = "") -> Response:
    """Cameras, fps, detector latency and drops, alarms, time to acknowledge, disk use."""
    token = deps.metrics.token
    if token is None:
        raise HTTPException(404, "metrics are not enabled (set metrics.token)")
    scheme, _, sent = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.encode(), token.encode()):
        raise HTTPException(401, "a valid bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    return Response(exposition(sources(deps)), media_type=CONTENT_TYPE)
