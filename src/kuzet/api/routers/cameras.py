"""Cameras: list with health, and the MJPEG live view."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from kuzet.api.auth import AuthFirstRoute, CameraScope, ScopedCameras, require, still_signed_in
from kuzet.api.deps import Deps, LiveDep
from kuzet.api.live import LiveView
from kuzet.api.schemas import CameraHealthOut, CameraListOut, CameraOut
from kuzet.api.streams import MJPEG_MEDIA_TYPE, NO_CACHE, mjpeg_frames
from kuzet.api.unmasking import PrincipalDep, ViewerLive
from kuzet.privacy.principal import Permission, Principal

router = APIRouter(route_class=AuthFirstRoute, prefix="/api/cameras", tags=["cameras"])


def list_cameras(live: LiveView, scope: CameraScope | None = None) -> list[CameraOut]:
    """Cameras in config order (only those in ``scope``, when given), joined with their health."""
    now = time.time()
    health = {h.camera_id: CameraHealthOut.from_health(h, now) for h in live.camera_health()}
    return [
        CameraOut(
            id=info["id"],
            name=info.get("name") or info["id"],
            site=info.get("site"),
            width=int(info.get("width") or 0),
            height=int(info.get("height") or 0),
            live_url=f"/api/cameras/{info['id']}/live.mjpg",
            health=health.get(info["id"]),
        )
        for info in live.camera_info()
        if scope is None or scope.allows(info["id"])
    ]


@router.get("", response_model=CameraListOut)
def cameras(
    live: LiveDep,
    scope: ScopedCameras,
    _user: Annotated[Principal, require(Permission.VIEW_LIVE)],
) -> CameraListOut:
    """The caller's cameras with their health."""
    return CameraListOut(items=list_cameras(live, scope))


@router.get(
    "/{camera_id}/live.mjpg",
    response_class=StreamingResponse,
    responses={200: {"content": {"multipart/x-mixed-replace": {}}}, 404: {}},
)
def live_mjpeg(
    request: Request,
    camera_id: str,
    deps: Deps,
    scope: ScopedCameras,
    _user: Annotated[Principal, require(Permission.VIEW_LIVE)],
    viewer: PrincipalDep,
) -> StreamingResponse:
    """Annotated live video as MJPEG (``multipart/x-mixed-replace``), at most ``api.live_fps``.

    403 for a camera outside the caller's scope (checked first, so a scoped user
    cannot probe which other camera ids exist).
    """
    scope.check(camera_id)
    if camera_id not in {info["id"] for info in deps.live.camera_info()}:
        raise HTTPException(404, f"unknown camera {camera_id!r}")
    # Redacted unless the viewer holds UNMASK and an active grant (re-checked while streaming).
    live = ViewerLive(deps, viewer, camera_id)
    frames = mjpeg_frames(live, camera_id, deps.api.live_fps, still_signed_in(request, deps))
    return StreamingResponse(frames, media_type=MJPEG_MEDIA_TYPE, headers=NO_CACHE)
