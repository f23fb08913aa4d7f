"""Cameras: list with health, the MJPEG live view (one camera, full screen) and polled
live JPEGs (the grid: a short request per frame, so many tiles share the browser's
few connections per host instead of holding one each)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse

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
            live_jpeg_url=f"/api/cameras/{info['id']}/live.jpg",
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


@router.get(
    "/{camera_id}/live.jpg",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The newest live frame"},
        204: {"description": "No frame newer than ``after`` (or none yet)"},
        404: {},
    },
)
def live_jpeg(  # noqa: PLR0913 - FastAPI dependencies
    camera_id: str,
    deps: Deps,
    scope: ScopedCameras,
    _user: Annotated[Principal, require(Permission.VIEW_LIVE)],
    viewer: PrincipalDep,
    after: Annotated[int | None, Query(ge=0, description="Sequence number already shown.")] = None,
) -> Response:
    """The newest annotated live frame as one JPEG (``X-Kuzet-Seq`` its sequence number),
    or 204 when it is not newer than ``after``. Each poll keeps the camera rendering for a
    few seconds. Redaction is the MJPEG view's: redacted unless the viewer holds an
    active unmask grant (``X-Kuzet-Redacted``)."""
    scope.check(camera_id)
    if camera_id not in {info["id"] for info in deps.live.camera_info()}:
        raise HTTPException(404, f"unknown camera {camera_id!r}")
    deps.live_leases.touch(camera_id)
    live = ViewerLive(deps, viewer, camera_id)  # the MJPEG view's redaction, not a copy
    latest = live.latest_jpeg(camera_id)
    masked = not live.unmasked()  # the answer latest_jpeg just used (checked once a request)
    if latest is None or latest[0] == after:
        return Response(status_code=204, headers=NO_CACHE)
    headers = {**NO_CACHE, "X-Kuzet-Seq": str(latest[0]), "X-Kuzet-Redacted": str(int(masked))}
    return Response(latest[1], media_type="image/jpeg", headers=headers)
