"""Video pages of the console: one camera live in full screen, and recorded video of
several cameras played in sync (``/playback?cameras=a,b&at=<ISO-8601 UTC>``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from kuzet.api.auth import AuthFirstRoute, ScopedCameras, require
from kuzet.api.deps import Deps, LiveDep
from kuzet.api.routers.cameras import list_cameras
from kuzet.api.templating import templates
from kuzet.api.unmasking import unmask_until
from kuzet.privacy.principal import Permission, Principal

router = APIRouter(route_class=AuthFirstRoute, tags=["console"], include_in_schema=False)
MAX_SYNC_CAMERAS = 9
BEFORE = timedelta(minutes=1)
AFTER = timedelta(minutes=4)


@router.get("/cameras/{camera_id}/live", response_class=HTMLResponse)
def live_page(
    request: Request,
    camera_id: str,
    live: LiveDep,
    scope: ScopedCameras,
    _user: Annotated[Principal, require(Permission.VIEW_LIVE)],
) -> HTMLResponse:
    """One camera's live stream filling the screen, with large labels (403 out of scope)."""
    scope.check(camera_id)
    camera = next((c for c in list_cameras(live, scope) if c.id == camera_id), None)
    if camera is None:
        raise HTTPException(404, f"unknown camera {camera_id!r}")
    context = {"camera": camera, "page": "live"}
    return templates.TemplateResponse(request, "live_single.html", context)


def _camera_ids(raw: list[str]) -> list[str]:
    """Camera ids from ``cameras=a,b`` and/or repeated ``cameras=``, in order, unique."""
    ids: list[str] = []
    for part in (p.strip() for value in raw for p in value.split(",")):
        if part and part not in ids:
            ids.append(part)
    return ids


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a time without an offset is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@router.get("/playback", response_class=HTMLResponse)
def sync_page(  # noqa: PLR0913 - FastAPI dependencies
    request: Request,
    deps: Deps,
    scope: ScopedCameras,
    user: Annotated[Principal, require(Permission.VIEW_EVENTS)],
    cameras: Annotated[list[str], Query()],
    at: datetime | None = None,
) -> HTMLResponse:
    """Recorded video of two or more cameras on one clock (seek and speed act on all),
    opened at ``at`` (default 4 minutes ago). Every camera is scope-checked (403) and
    each one's playback is audited by the media route, as on the single timeline."""
    ids = _camera_ids(cameras)
    if not 1 <= len(ids) <= MAX_SYNC_CAMERAS:
        raise HTTPException(422, f"give 1 to {MAX_SYNC_CAMERAS} cameras")
    for camera_id in ids:
        scope.check(camera_id)
    if deps.recordings is None:
        raise HTTPException(404, "recording is not enabled in this deployment")
    anchor = _utc(at) if at is not None else datetime.now(UTC) - AFTER
    views = [{"id": cid, "redacted": unmask_until(deps, user, cid) is None} for cid in ids]
    context = {
        "cameras": views,
        "at": anchor.isoformat(),
        "since": (anchor - BEFORE).isoformat(),
        "until": (anchor + AFTER).isoformat(),
        "can_export": user.can(Permission.EXPORT),
        "page": "playback",
    }
    return templates.TemplateResponse(request, "playback_sync.html", context)
