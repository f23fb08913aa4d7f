"""The map's data: site plans with camera placements, cameras on the earth, the offline
base map (GeoJSON, georeferenced image) and the sectors' areas.

Reading needs ``view_live`` or ``view_events``; a scoped user sees only the
cameras in scope, and only the plans of their sites or with one of their
cameras on them. Uploading plans and placing cameras needs ``manage_cameras``
(each change audited). Open alarms and incidents come from their own routes
and the SSE stream; field units' positions from ``/api/field/positions``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.auth import AuthFirstRoute, CameraScope, ScopedCameras, audit
from kuzet.api.deps import Deps
from kuzet.api.errors import TOO_LARGE, unprocessable
from kuzet.api.map_access import Editor, Viewer, map_cameras, sector_areas, visible_plans
from kuzet.maps.geodata import MapDataError
from kuzet.maps.images import PLAN_LIMITS, PlanImageError, prepare_plan_image
from kuzet.maps.models import SitePlanRow
from kuzet.maps.plans import (
    GeoPlacement,
    PlanNotFound,
    PlanPlacement,
    geo_json,
    placement_json,
    plan_json,
)

router = APIRouter(route_class=AuthFirstRoute, prefix="/api/map", tags=["map"])
IMAGE: dict[int | str, dict[str, Any]] = {200: {
    "content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}, "image/bmp": {}},
    "description": "The image"}}  # fmt: skip
NO_DATA: dict[int | str, dict[str, Any]] = {404: {"description": "No such map data configured, "
                                                  "or it cannot be read (the detail says why)"}}
Heading = Field(0.0, ge=0, le=360, description="Degrees clockwise from up (plan) or north.")
Fov = Field(60.0, gt=0, le=360, description="Opening angle of the view cone, degrees.")


class PlanPlacementIn(BaseModel):
    """A camera's place on a plan: 0-1 of the image (origin top left) and its view cone."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    x: float = Field(ge=0, le=1, description="Across the image, 0 (left) to 1 (right).")
    y: float = Field(ge=0, le=1, description="Down the image, 0 (top) to 1 (bottom).")
    heading: float = Heading
    fov: float = Fov
    range: float = Field(0.12, gt=0, le=1, description="Cone length, a fraction of the "
                                                      "image's longer side.")


class GeoPlacementIn(BaseModel):
    """A camera's place on the earth (WGS 84) and its view cone."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, description="Latitude, degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude, degrees.")
    heading: float = Heading
    fov: float = Fov
    range_m: float = Field(40.0, gt=0, le=10_000, description="Cone length in metres.")


class PlanEdit(BaseModel):
    """``PATCH``: a new name or site (unset = unchanged)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=128, description="Plan name.")
    site: str | None = Field(None, max_length=128, description="Site it shows; '' = none.")


def _plan(deps: Deps, plan_id: str, scope: CameraScope) -> SitePlanRow:
    """A plan the caller may see (unknown ids are 403 for scoped callers, as alarms)."""
    try:
        row = deps.maps.get(plan_id)
    except PlanNotFound as error:
        if not scope.unrestricted:
            raise HTTPException(403, "this site plan is outside your scope") from error
        raise HTTPException(404, str(error)) from error
    if not visible_plans([row], deps.maps.placements(), scope):
        raise HTTPException(403, "this site plan is outside your scope")
    return row


def _known_camera(deps: Deps, camera_id: str, scope: CameraScope) -> None:
    """403 out of scope (checked first), 404 for a camera not in the config."""
    scope.check(camera_id)
    if camera_id not in {str(c["id"]) for c in deps.live.camera_info()}:
        raise HTTPException(404, f"unknown camera {camera_id!r}")


@router.get("/plans")
def list_plans(deps: Deps, scope: ScopedCameras, _user: Viewer) -> dict[str, Any]:
    """Site plans the caller may see, each with the placements of cameras in scope."""
    placed = deps.maps.placements()
    plans = visible_plans(deps.maps.list_plans(), placed, scope)
    return {"items": [plan_json(p, [c for c in placed.get(p.id, [])
                                    if scope.allows(c.camera_id)]) for p in plans]}


@router.post("/plans", status_code=201, responses=TOO_LARGE)
async def upload_plan(  # noqa: PLR0913 - FastAPI form fields and dependencies
    request: Request, deps: Deps, user: Editor,
    image: Annotated[UploadFile, File(description="PNG, JPEG, WebP or BMP, at most 10 MiB.")],
    name: Annotated[str, Form(min_length=1, max_length=128, description="Plan name.")],
    site: Annotated[str | None, Form(max_length=128, description="Site it shows.")] = None,
) -> dict[str, Any]:
    """Upload a floor plan or venue image; 413/422 name the ``image`` field, nothing stored."""
    data = await image.read(PLAN_LIMITS.max_bytes + 1)
    if len(data) > PLAN_LIMITS.max_bytes:
        raise HTTPException(413, [{"loc": ["body", "image"], "type": "value_error", "msg":
                                   f"image: larger than {PLAN_LIMITS.max_bytes // 1_048_576} "
                                   "MiB"}])  # fmt: skip
    try:
        prepared = await run_in_threadpool(prepare_plan_image, data)
    except PlanImageError as error:
        if error.too_large:
            raise HTTPException(413, [{"loc": ["body", "image"], "msg": f"image: {error}",
                                       "type": "value_error"}]) from error
        raise unprocessable(f"image: {error}", "body", "image") from error
    row = deps.maps.create(name.strip(), (site or "").strip() or None, prepared, user.username)
    audit(request, "map.plan.create", target=row.id,
          details={"name": row.name, "site": row.site, "sha256": row.sha256,
                   "width": row.width, "height": row.height})
    return plan_json(row, [])


@router.get("/plans/{plan_id}")
def get_plan(plan_id: str, deps: Deps, scope: ScopedCameras, _user: Viewer) -> dict[str, Any]:
    """One plan with the placements of cameras in scope."""
    row = _plan(deps, plan_id, scope)
    cameras = [c for c in deps.maps.placements().get(row.id, []) if scope.allows(c.camera_id)]
    return plan_json(row, cameras)


@router.patch("/plans/{plan_id}")
def edit_plan(plan_id: str, body: PlanEdit, request: Request, deps: Deps,
              _user: Editor) -> dict[str, Any]:
    """Rename a plan or change its site."""
    changes = body.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise unprocessable("name: a plan needs a name", "body", "name")
    if "site" in changes:
        changes["site"] = (changes["site"] or "").strip() or None
    try:
        row = deps.maps.update(plan_id, changes)
    except PlanNotFound as error:
        raise HTTPException(404, str(error)) from error
    audit(request, "map.plan.update", target=plan_id, details=changes)
    return plan_json(row, deps.maps.placements().get(row.id, []))


@router.delete("/plans/{plan_id}", status_code=204, response_class=Response)
def delete_plan(plan_id: str, request: Request, deps: Deps, _user: Editor) -> Response:
    """Remove a plan, its image and its placements."""
    try:
        row = deps.maps.delete(plan_id)
    except PlanNotFound as error:
        raise HTTPException(404, str(error)) from error
    audit(request, "map.plan.delete", target=plan_id, details={"name": row.name})
    return Response(status_code=204)


@router.get("/plans/{plan_id}/image", response_class=Response, responses=IMAGE)
def plan_image(plan_id: str, deps: Deps, scope: ScopedCameras, _user: Viewer) -> Response:
    """The plan's image (as stored: re-encoded at upload)."""
    _plan(deps, plan_id, scope)
    try:
        data, media_type = deps.maps.image(plan_id)
    except PlanNotFound as error:
        raise HTTPException(404, str(error)) from error
    return Response(data, media_type=media_type, headers={"Cache-Control": "private, max-age=60"})


@router.put("/plans/{plan_id}/cameras/{camera_id}")
def place_on_plan(plan_id: str, camera_id: str, body: PlanPlacementIn,  # noqa: PLR0913
                  request: Request, deps: Deps, scope: ScopedCameras,
                  user: Editor) -> dict[str, Any]:
    """Put or move a camera on a plan (position and view cone)."""
    _known_camera(deps, camera_id, scope)
    placement = PlanPlacement(camera_id, **body.model_dump())
    try:
        row = deps.maps.place(plan_id, placement, user.username)
    except PlanNotFound as error:
        raise HTTPException(404, str(error)) from error
    audit(request, "map.plan.place", camera_id=camera_id, target=plan_id,
          details=body.model_dump())
    return placement_json(row)


@router.delete("/plans/{plan_id}/cameras/{camera_id}", status_code=204,
               response_class=Response)
def remove_from_plan(plan_id: str, camera_id: str, request: Request, deps: Deps,
                     scope: ScopedCameras, _user: Editor) -> Response:
    """Take a camera off a plan (404 when it was not on it)."""
    scope.check(camera_id)
    try:
        removed = deps.maps.unplace(plan_id, camera_id)
    except PlanNotFound as error:
        raise HTTPException(404, str(error)) from error
    if not removed:
        raise HTTPException(404, f"camera {camera_id!r} is not on plan {plan_id!r}")
    audit(request, "map.plan.unplace", camera_id=camera_id, target=plan_id)
    return Response(status_code=204)


@router.get("/cameras")
def cameras(deps: Deps, scope: ScopedCameras, user: Viewer) -> dict[str, Any]:
    """The caller's cameras: health, geographic placement and the plans they are on."""
    return {"items": map_cameras(deps, scope, user)}


@router.put("/cameras/{camera_id}/geo")
def place_on_earth(camera_id: str, body: GeoPlacementIn, request: Request, deps: Deps,
                   scope: ScopedCameras, user: Editor) -> dict[str, Any]:
    """Put or move a camera on the geographic map; out-of-range coordinates are 422."""
    _known_camera(deps, camera_id, scope)
    row = deps.maps.place_geo(GeoPlacement(camera_id, **body.model_dump()), user.username)
    audit(request, "map.geo.place", camera_id=camera_id, details=body.model_dump())
    return geo_json(row)


@router.delete("/cameras/{camera_id}/geo", status_code=204, response_class=Response)
def remove_from_earth(camera_id: str, request: Request, deps: Deps, scope: ScopedCameras,
                      _user: Editor) -> Response:
    """Take a camera off the geographic map (404 when it was not on it)."""
    scope.check(camera_id)
    if not deps.maps.unplace_geo(camera_id):
        raise HTTPException(404, f"camera {camera_id!r} is not on the map")
    audit(request, "map.geo.unplace", camera_id=camera_id)
    return Response(status_code=204)


@router.get("/geo")
def geo(deps: Deps, scope: ScopedCameras, _user: Viewer) -> dict[str, Any]:
    """The base map's files (with the reason for any that fails) and the sectors' areas."""
    return deps.map_data.summary() | {"sectors": sector_areas(deps, scope)}


@router.get("/geo/base.geojson", response_class=Response, responses={
    200: {"content": {"application/geo+json": {}}, "description": "The GeoJSON file"},
    **NO_DATA})  # fmt: skip
def base_geojson(deps: Deps, _user: Viewer) -> Response:
    """The deployment's GeoJSON file (``map.geojson``), checked."""
    try:
        checked = deps.map_data.geojson()
    except MapDataError as error:
        raise HTTPException(404, str(error)) from error
    return Response(checked.data, media_type="application/geo+json",
                    headers={"Cache-Control": "private, max-age=300"})


@router.get("/geo/raster", response_class=Response, responses={**IMAGE, **NO_DATA})
def base_raster(deps: Deps, _user: Viewer) -> Response:
    """The deployment's georeferenced image (``map.raster.image``)."""
    try:
        data, media_type = deps.map_data.raster()
    except MapDataError as error:
        raise HTTPException(404, str(error)) from error
    return Response(data, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})
