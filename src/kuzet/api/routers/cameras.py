"""Cameras: list with health, and the MJPEG live view."""

from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse

from kuzet.api.deps import Deps, LiveDep
from kuzet.api.live import LiveView
from kuzet.api.schemas import CameraHealthOut, CameraListOut, CameraOut
from kuzet.api.streams import MJPEG_MEDIA_TYPE, NO_CACHE, mjpeg_frames
from kuzet.api.unmasking import PrincipalDep, ViewerLive

router = APIRouter(prefix="/api/cameras", tags=["cameras"])


def list_cameras(live: LiveView) -> list[CameraOut]:
    """Cameras in config order, joined with their health."""
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
    ]


@router.get("", response_model=CameraListOut)
def cameras(live: LiveDep) -> CameraListOut:
    """Every configured camera with its health."""
    return CameraListOut(items=list_cameras(live))


@router.get(
    "/{camera_id}/live.mjpg",
    response_class=StreamingResponse,
    responses={200: {"content": {"multipart/x-mixed-replace": {}}}, 404: {}},
)
def live_mjpeg(camera_id: str, deps: Deps, viewer: PrincipalDep) -> StreamingResponse:
    """Annotated live video as MJPEG (``multipart/x-mixed-replace``), at most ``api.live_fps``."""
    if camera_id not in {info["id"] for info in deps.live.camera_info()}:
        raise HTTPException(404, f"unknown camera {camera_id!r}")
    # Redacted unless the viewer holds UNMASK and an active grant (re-checked while streaming).
    live = ViewerLive(deps, viewer, camera_id)
    frames = mjpeg_frames(live, camera_id, deps.api.live_fps)
    return StreamingResponse(frames, media_type=MJPEG_MEDIA_TYPE, headers=NO_CACHE)
