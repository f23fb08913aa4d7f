"""Sectors and operator shifts: who is on duty where (alarm routing, issue 15 item 5).

Sectors come from the config (``response.sectors``); shifts are a dated rota in
the store, posted by supervisors or administrators. Times are read and shown in
the site's time zone (``timezone`` of the config); a time without an offset is
site wall-clock time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.alarm_access import Reader, actor_of, http_errors
from kuzet.api.auth import AuthFirstRoute, CurrentUser, ScopedCameras, audit
from kuzet.api.deps import Deps
from kuzet.api.errors import unprocessable
from kuzet.privacy.principal import Permission, Principal
from kuzet.response.errors import InvalidError
from kuzet.response.shifts import NewShift, ShiftRow
from kuzet.response.views import iso

router = APIRouter(route_class=AuthFirstRoute, tags=["shifts"])
ROTA_PERMISSIONS = (Permission.SUPERVISE_ALARMS, Permission.MANAGE_USERS)


def rota_keeper(principal: CurrentUser) -> Principal:
    """The principal, if it may post and delete shifts (supervisors, administrators)."""
    if not any(principal.can(p) for p in ROTA_PERMISSIONS):
        raise HTTPException(403, f"your role ({principal.role}) cannot change the rota")
    return principal


RotaKeeper = Annotated[Principal, Depends(rota_keeper)]


class ShiftIn(BaseModel):
    """A shift to post; times without an offset are in the site's time zone."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=128, description="Who is on duty.")
    sectors: list[str] = Field(min_length=1, max_length=64, description="Sector ids.")
    start: datetime = Field(description="Start (site time unless an offset is given).")
    end: datetime = Field(description="End, after start, at most 24 h later.")
    note: str | None = Field(None, max_length=2000, description="Free text.")


class ShiftOut(BaseModel):
    """A shift, in UTC and in the site's time zone."""

    id: str
    username: str
    sectors: list[str]
    start: str
    end: str
    start_local: str
    end_local: str
    timezone: str
    note: str | None
    created_by: str | None


def _zone_name(deps: Deps) -> str:
    tz = deps.response.routing.tz
    return str(tz) if tz is not None else "local"


def _out(deps: Deps, row: ShiftRow) -> ShiftOut:
    local = deps.response.routing.local
    return ShiftOut(id=row.id, username=row.username, sectors=list(row.sectors),
                    start=iso(row.start_at) or "", end=iso(row.end_at) or "",
                    start_local=local(row.start_at).isoformat(),
                    end_local=local(row.end_at).isoformat(), timezone=_zone_name(deps),
                    note=row.note, created_by=row.created_by)


@router.get("/api/sectors")
def list_sectors(deps: Deps, scope: ScopedCameras, _user: Reader) -> dict[str, Any]:
    """Sectors with their cameras (those in your scope) and who is on shift there now."""
    routing = deps.response.routing
    on_duty = routing.on_duty(list(routing.sectors), deps.response.clock())
    items = [{"id": sector_id, "name": sector.name or sector_id,
              "cameras": scope.visible(sorted(c for c, s in routing.camera_sector.items()
                                              if s == sector_id)),
              "on_duty": sorted(on_duty.get(sector_id, []))}
             for sector_id, sector in routing.sectors.items()]
    return {"items": items, "timezone": _zone_name(deps)}


@router.get("/api/shifts", response_model=list[ShiftOut])
def list_shifts(
    deps: Deps, user: CurrentUser,
    start: Annotated[datetime | None, Query(description="From (default: now - 1 day).")] = None,
    end: Annotated[datetime | None, Query(description="To (default: start + 8 days).")] = None,
    username: Annotated[str | None, Query(max_length=128)] = None,
    sector: Annotated[str | None, Query(max_length=64)] = None,
) -> list[ShiftOut]:
    """Shifts overlapping a period; operators see only their own."""
    routing = deps.response.routing
    keeper = any(user.can(p) for p in ROTA_PERMISSIONS)
    if not keeper and not user.can(Permission.HANDLE_EVENTS):
        raise HTTPException(403, f"your role ({user.role}) has no shifts")
    since = routing.local(start) if start else deps.response.clock() - timedelta(days=1)
    until = routing.local(end) if end else since + timedelta(days=8)
    user_id: str | None = user.user_id
    if keeper and username is not None:
        found = deps.auth.users.by_username(username)
        if found is None:
            return []
        user_id = found.id
    elif keeper:
        user_id = None
    return [_out(deps, r) for r in routing.list(since, until, user_id, sector)]


@router.post("/api/shifts", response_model=ShiftOut, status_code=201)
def create_shift(body: ShiftIn, request: Request, deps: Deps, user: RotaKeeper) -> ShiftOut:
    """Put a user on duty in some sectors (supervisors, administrators); audited."""
    found = deps.auth.users.by_username(body.username)
    principal = found.principal() if found is not None and not found.disabled else None
    if principal is None or not principal.can(Permission.HANDLE_EVENTS):
        raise unprocessable(f"{body.username!r} is not an active user who handles alarms",
                            "body", "username")
    routing = deps.response.routing
    new = NewShift(principal.user_id, principal.username, tuple(body.sectors),
                   routing.local(body.start), routing.local(body.end), body.note)
    try:
        row = routing.add(new, actor_of(request, user), deps.response.clock())
    except InvalidError as error:
        raise unprocessable(str(error), "body", "sectors") from error
    out = _out(deps, row)
    audit(request, "shift.create", target=row.id,
          details={"username": row.username, "sectors": row.sectors, "start": out.start,
                   "end": out.end})
    return out


@router.delete("/api/shifts/{shift_id}", status_code=204)
def delete_shift(shift_id: str, request: Request, deps: Deps, _user: RotaKeeper) -> None:
    """Remove a shift (supervisors, administrators); audited."""
    with http_errors():
        row = deps.response.routing.remove(shift_id)
    audit(request, "shift.delete", target=row.id,
          details={"username": row.username, "sectors": row.sectors,
                   "start": iso(row.start_at), "end": iso(row.end_at)})
