"""Who may see and edit the map, and what of it is in a caller's scope.

The map is for whoever may view alarms or cameras (``view_events`` or
``view_live``); editing plans and placements needs ``manage_cameras``. A scoped
caller sees only cameras in scope, the plans of their sites or with one of
their cameras on them, and the sectors holding one of their cameras.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import Depends, HTTPException

from kuzet.api.auth import CameraScope, CurrentUser, require
from kuzet.api.deps import AppDeps
from kuzet.api.schemas import CameraHealthOut
from kuzet.config.sectors import sector_of_cameras
from kuzet.maps.models import PlanCameraRow, SitePlanRow
from kuzet.maps.plans import geo_json
from kuzet.privacy.principal import Permission, Principal

VIEW_PERMISSIONS = (Permission.VIEW_EVENTS, Permission.VIEW_LIVE)


def map_viewer(principal: CurrentUser) -> Principal:
    """The principal, if it may view alarms or cameras (else 403)."""
    if not any(principal.can(p) for p in VIEW_PERMISSIONS):
        raise HTTPException(403, f"your role ({principal.role}) can view neither alarms nor "
                                 "cameras, so it has no map")
    return principal


Viewer = Annotated[Principal, Depends(map_viewer)]
Editor = Annotated[Principal, require(Permission.MANAGE_CAMERAS)]


def visible_plans(plans: Sequence[SitePlanRow], placed: Mapping[str, list[PlanCameraRow]],
                  scope: CameraScope) -> list[SitePlanRow]:
    """The plans a caller may see: all when unrestricted; else those of the caller's
    sites, or with one of the caller's cameras on them."""
    if scope.unrestricted:
        return list(plans)
    sites = scope.principal.sites or frozenset()
    return [p for p in plans
            if (p.site is not None and p.site in sites)
            or any(scope.allows(c.camera_id) for c in placed.get(p.id, []))]


def map_cameras(deps: AppDeps, scope: CameraScope, user: Principal) -> list[dict[str, Any]]:
    """The caller's cameras in config order: name, site, health, geographic placement,
    the plans they are on, and their live page when the caller may watch."""
    now = time.time()
    health = {h.camera_id: CameraHealthOut.from_health(h, now) for h in deps.live.camera_health()}
    geo = {row.camera_id: geo_json(row) for row in deps.maps.geo()}
    on_plans: dict[str, list[str]] = {}
    for plan_id, rows in deps.maps.placements().items():
        for row in rows:
            on_plans.setdefault(row.camera_id, []).append(plan_id)
    watch = user.can(Permission.VIEW_LIVE)
    items = []
    for info in deps.live.camera_info():
        camera_id = str(info["id"])
        if not scope.allows(camera_id):
            continue
        state = health.get(camera_id)
        items.append({
            "id": camera_id, "name": str(info.get("name") or camera_id), "site": info.get("site"),
            "health": None if state is None else {"state": state.state, "reason": state.reason,
                                                  "last_frame_age_s": state.last_frame_age_s},
            "live_url": f"/cameras/{camera_id}/live" if watch else None,
            "geo": geo.get(camera_id), "plans": sorted(on_plans.get(camera_id, [])),
        })  # fmt: skip
    return items


def sector_areas(deps: AppDeps, scope: CameraScope) -> list[dict[str, Any]]:
    """Sectors with an ``area``, each with its cameras in scope (a scoped caller sees
    only the sectors holding one of their cameras)."""
    sectors = deps.response.config.sectors
    sites = {str(c["id"]): c.get("site") for c in deps.live.camera_info()}
    owner = sector_of_cameras(sectors, sites)
    out = []
    for sector_id, sector in sectors.items():
        if sector.area is None:
            continue
        cameras = [c for c, s in owner.items() if s == sector_id and scope.allows(c)]
        if not scope.unrestricted and not cameras:
            continue
        out.append({"id": sector_id, "name": sector.name or sector_id,
                    "area": [list(p) for p in sector.area], "cameras": cameras})
    return out
