"""Licence plates: hotlists with governance, plate read search, crops and hits.

- Hotlists and entries: ``manage_watchlists``; every read and change is audited.
- ``GET /api/plates/reads``: a plate search is a search: ``search`` permission,
  narrowed to the caller's cameras, audited (``plate.search``) with the query.
- A crop *is* the plate, so ``crop.jpg`` is served (audited as ``evidence.view``)
  to users with ``search``, or with ``view_events`` when the read raised a hit
  event (the alert they may already open); camera scope applies to both. It is
  pixelated unless the caller holds an unmask grant for the camera or a hit
  event, like snapshots (fail closed).
- ``GET /api/plates/hits``: ``view_events``, narrowed to the caller's cameras.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.auth import AuthFirstRoute, CurrentUser, ScopedCameras, audit, require
from kuzet.api.deps import Deps
from kuzet.api.errors import unprocessable
from kuzet.api.schemas import ApiTime
from kuzet.api.unmasking import unmask_until
from kuzet.identity.hotlists import HotlistError, HotlistRepo
from kuzet.identity.plate_reads import MAX_LIMIT, PlateReadRepo, ReadQuery
from kuzet.privacy.plate_evidence import pixelate_jpeg
from kuzet.privacy.principal import Permission, Principal
from kuzet.privacy.snapshots import RedactionUnavailable, redacted_copy

router = APIRouter(route_class=AuthFirstRoute, tags=["plates"])
Manager = Annotated[Principal, require(Permission.MANAGE_WATCHLISTS)]
Searcher = Annotated[Principal, require(Permission.SEARCH)]
Viewer = Annotated[Principal, require(Permission.VIEW_EVENTS)]


class HotlistIn(BaseModel):
    """A new hotlist."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128, description="Unique name.")
    reason: str = Field(min_length=1, max_length=64, description="stolen, wanted, amber ...")
    priority: int = Field(2, ge=1, le=5, description="Default entry priority, 1 = highest.")


class EntryIn(BaseModel):
    """A new hotlist entry: legal basis, owner and expiry are mandatory."""

    model_config = ConfigDict(extra="forbid")

    plate: str = Field(min_length=1, max_length=32, description="Plate, or a pattern.")
    match: Literal["exact", "wildcard"] = Field("exact", description="`*`/`?` in wildcards.")
    reason: str = Field(min_length=1, max_length=2000, description="Why this vehicle is listed.")
    priority: int | None = Field(None, ge=1, le=5, description="Default: the hotlist's.")
    legal_basis: str = Field(
        min_length=1, max_length=2000, description="Law, warrant or order allowing it."
    )
    authority: str | None = Field(None, max_length=200, description="Authorising authority.")
    case_ref: str | None = Field(None, max_length=200, description="Case reference.")
    owner: str = Field(
        min_length=1, max_length=200, description="Person responsible for the entry."
    )
    expires_at: ApiTime = Field(description="Expiry (ISO 8601; naive = UTC); in the future.")


class EntryPatch(BaseModel):
    """Changes to an entry (suspend/reactivate, extend, re-prioritise)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["active", "suspended"] | None = None
    expires_at: ApiTime | None = None
    priority: int | None = Field(None, ge=1, le=5)
    reason: str | None = Field(None, max_length=2000)
    legal_basis: str | None = Field(None, max_length=2000)
    authority: str | None = Field(None, max_length=200)
    case_ref: str | None = Field(None, max_length=200)
    owner: str | None = Field(None, max_length=200)


def _repo(deps: Deps) -> HotlistRepo:
    return HotlistRepo(deps.store.engine)


def _reads(deps: Deps) -> PlateReadRepo:
    return PlateReadRepo(deps.store.engine, deps.media)


def _refused(error: HotlistError) -> HTTPException:
    return unprocessable(error.message, "body", error.field)


@router.get("/api/hotlists")
def list_hotlists(request: Request, deps: Deps, _user: Manager) -> list[dict[str, Any]]:
    """Every hotlist (audited as ``hotlist.list``)."""
    audit(request, "hotlist.list")
    return [h.to_json() for h in _repo(deps).hotlists()]


@router.post("/api/hotlists", status_code=201)
def create_hotlist(
    request: Request, body: HotlistIn, deps: Deps, user: Manager
) -> dict[str, Any]:
    """Create a hotlist (audited as ``hotlist.create``)."""
    try:
        hotlist = _repo(deps).create_hotlist(body.name, body.reason, body.priority, user.username)
    except HotlistError as error:
        raise _refused(error) from error
    audit(request, "hotlist.create", target=hotlist.id, details=body.model_dump())
    return hotlist.to_json()


@router.get("/api/hotlists/{hotlist_id}/entries")
def list_entries(
    request: Request, hotlist_id: str, deps: Deps, _user: Manager
) -> list[dict[str, Any]]:
    """Entries of a hotlist with their governance fields (audited as ``hotlist.view``)."""
    repo = _repo(deps)
    if repo.hotlist(hotlist_id) is None:
        raise HTTPException(404, f"unknown hotlist {hotlist_id!r}")
    audit(request, "hotlist.view", target=hotlist_id)
    return repo.entries(hotlist_id)


@router.post("/api/hotlists/{hotlist_id}/entries", status_code=201)
def add_entry(
    request: Request, hotlist_id: str, body: EntryIn, deps: Deps, user: Manager
) -> dict[str, Any]:
    """Add an entry; refused (422 naming the field) without legal basis, owner or expiry."""
    repo = _repo(deps)
    if repo.hotlist(hotlist_id) is None:
        raise HTTPException(404, f"unknown hotlist {hotlist_id!r}")
    try:
        entry = repo.add_entry(hotlist_id, body.model_dump(), user.username)
    except HotlistError as error:
        raise _refused(error) from error
    audit(request, "hotlist.entry.create", target=entry["id"], details=_audit_entry(entry))
    return entry


@router.patch("/api/hotlist-entries/{hotlist_entry_id}")
def update_entry(
    request: Request, hotlist_entry_id: str, body: EntryPatch, deps: Deps, _user: Manager
) -> dict[str, Any]:
    """Suspend, reactivate, extend or amend an entry (audited as ``hotlist.entry.update``)."""
    changes = body.model_dump(exclude_unset=True)
    try:
        entry = _repo(deps).update_entry(hotlist_entry_id, changes)
    except HotlistError as error:
        raise _refused(error) from error
    if entry is None:
        raise HTTPException(404, f"unknown hotlist entry {hotlist_entry_id!r}")
    details = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in changes.items()}
    audit(request, "hotlist.entry.update", target=hotlist_entry_id, details=details)
    return entry


def _audit_entry(entry: dict[str, Any]) -> dict[str, Any]:
    keys = ("hotlist_id", "plate", "match", "legal_basis", "owner", "expires_at", "case_ref")
    return {k: entry[k] for k in keys}


class ReadFilters(BaseModel):
    """Query parameters of ``GET /api/plates/reads`` (and the console's plate page)."""

    model_config = ConfigDict(extra="forbid")

    plate: str | None = Field(None, max_length=32, description="Full or partial plate.")
    camera: list[str] = Field(default_factory=list, description="Camera id; repeatable.")
    since: ApiTime | None = Field(None, description="Read at or after (ISO 8601).")
    until: ApiTime | None = Field(None, description="Read before (ISO 8601).")
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="Most reads returned.")

    def to_query(self, cameras: list[str] | None) -> ReadQuery:
        """The repository query over ``cameras`` (the caller's scope)."""
        return ReadQuery(self.plate or None, cameras, self.since, self.until, self.limit)


@router.get("/api/plates/reads")
def search_reads(
    request: Request,
    deps: Deps,
    filters: Annotated[ReadFilters, Query()],
    scope: ScopedCameras,
    _user: Searcher,
) -> dict[str, Any]:
    """Plate reads of the caller's cameras, newest first (audited as ``plate.search``).

    ``plate`` with ``*``/``?`` is a wildcard pattern over the whole plate; without
    them it matches anywhere in the plate (``ABC`` finds ``123ABC01``).
    """
    cameras = scope.query_cameras(filters.camera)
    audit(request, "plate.search", details={"query": request.url.query})
    return {"items": _reads(deps).search(filters.to_query(cameras))}


@router.get(
    "/api/plates/reads/{plate_read_id}/crop.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, 404: {}, 503: {}},
)
def read_crop(
    request: Request, plate_read_id: str, deps: Deps, scope: ScopedCameras, user: CurrentUser
) -> Response:
    """The plate crop of a read (``search``, or ``view_events`` for a read that hit).

    A crop *is* the plate: it is pixelated (header ``X-Kuzet-Redacted: 1``)
    unless the caller holds ``unmask`` and an active grant covering the camera
    or a hit event of the read; when that fails the answer is 503, never the crop.
    """
    reads = _reads(deps)
    row = reads.get(plate_read_id)
    if row is None:
        raise HTTPException(404, f"unknown plate read {plate_read_id!r}")
    scope.check(row.camera_id)
    hits = reads.hit_event_ids(plate_read_id)
    if not user.can(Permission.SEARCH) and not (user.can(Permission.VIEW_EVENTS) and hits):
        raise HTTPException(403, f"your role ({user.role}) lacks 'search' for this plate crop")
    if row.crop_key is None or not deps.media.exists(row.crop_key):
        raise HTTPException(404, f"plate read {plate_read_id!r} has no crop")
    masked = all(unmask_until(deps, user, row.camera_id, hit) is None for hit in [None, *hits])
    audit(request, "evidence.view", camera_id=row.camera_id, target=f"plate_read:{row.id}",
          details={"redacted": masked})
    try:
        data = (redacted_copy(deps.media, row.crop_key, pixelate_jpeg) if masked
                else deps.media.get(row.crop_key))
    except KeyError as error:
        raise HTTPException(404, f"plate read {plate_read_id!r} has no crop") from error
    except RedactionUnavailable as error:
        raise HTTPException(503, f"plate crop of read {plate_read_id!r}: {error}") from error
    headers = {"Cache-Control": "private, no-store", "X-Kuzet-Redacted": "1" if masked else "0"}
    return Response(data, media_type="image/jpeg", headers=headers)


@router.get("/api/plates/hits")
def list_hits(
    request: Request,
    deps: Deps,
    scope: ScopedCameras,
    _user: Viewer,
    camera: Annotated[list[str], Query(description="Camera id; repeatable.")] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """Hotlist hits of the caller's cameras, newest first (audited as ``plate.hits``)."""
    cameras = scope.query_cameras(camera)
    audit(request, "plate.hits", details={"query": request.url.query})
    return {"items": _reads(deps).hits(cameras, limit)}

