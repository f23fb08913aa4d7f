"""Watchlists, their governed entries and enrolled photos.

Reading needs ``confirm_match`` or ``manage_watchlists``; every change needs
``manage_watchlists``. Every change and every view of an enrolled photo is
audited. Entries are refused (422, naming the field) without legal basis,
authority, case reference, purpose, owner or a future expiry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kuzet.api.auth import AuthFirstRoute, CurrentUser, audit, require
from kuzet.api.deps import Deps
from kuzet.api.errors import JPEG, TOO_LARGE, unprocessable
from kuzet.api.schemas import AwareApiTime
from kuzet.identity.enrol import EnrolmentError
from kuzet.identity.models import EntryPhotoRow, WatchlistEntryRow, WatchlistRow
from kuzet.identity.watchlists import (
    EntryStatus,
    GovernanceError,
    NotFoundError,
    WatchlistKind,
    new_id,
)
from kuzet.privacy.principal import Permission, Principal
from kuzet.render.decode import MAX_IMAGE_BYTES

router = APIRouter(route_class=AuthFirstRoute, tags=["watchlists"])
Manager = Annotated[Principal, require(Permission.MANAGE_WATCHLISTS)]
MAX_PHOTO_BYTES = MAX_IMAGE_BYTES  # the bounded decoder's limit (render.decode)


def _reader(principal: CurrentUser) -> Principal:
    if not (principal.can(Permission.CONFIRM_MATCH) or principal.can(Permission.MANAGE_WATCHLISTS)):
        raise HTTPException(403, f"your role ({principal.role}) lacks 'confirm_match' or "
                                 "'manage_watchlists'")
    return principal


Reader = Annotated[Principal, Depends(_reader)]


class WatchlistIn(BaseModel):
    """``POST /api/watchlists``."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    kind: WatchlistKind = WatchlistKind.OTHER
    threshold: float | None = Field(None, gt=0, le=1.5, description="Euclidean distance.")
    description: str = Field("", max_length=2000)


class WatchlistPatch(BaseModel):
    """``PATCH /api/watchlists/{id}``: any subset of the fields."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: WatchlistKind | None = None
    threshold: float | None = Field(None, gt=0, le=1.5)
    description: str | None = Field(None, max_length=2000)


class EntryIn(BaseModel):
    """``POST /api/watchlists/{id}/entries``: every governance field is required."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    reference: str | None = Field(None, max_length=200)
    legal_basis: str = Field(
        min_length=1, max_length=2000, description="Law or order that allows the search."
    )
    authority: str = Field(min_length=1, max_length=200, description="Authorising authority.")
    case_ref: str = Field(min_length=1, max_length=200, description="Case reference.")
    purpose: str = Field(
        min_length=1, max_length=2000, description="Why this person is searched for."
    )
    owner: str = Field(min_length=1, max_length=200, description="Accountable owner.")
    expires_at: AwareApiTime = Field(description="ISO 8601 with offset; must be in the future.")
    status: EntryStatus = EntryStatus.ACTIVE

    @field_validator("expires_at")
    @classmethod
    def _future(cls, value: datetime) -> datetime:
        if value <= datetime.now(UTC):
            raise ValueError(f"expires_at {value.isoformat()} is in the past")
        return value


class EntryPatch(BaseModel):
    """``PATCH /api/entries/{id}``: suspend/resume, change the expiry or descriptive fields."""

    model_config = ConfigDict(extra="forbid")
    status: EntryStatus | None = None
    expires_at: AwareApiTime | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    reference: str | None = Field(None, max_length=200)
    legal_basis: str | None = Field(None, min_length=1, max_length=2000)
    authority: str | None = Field(None, min_length=1, max_length=200)
    case_ref: str | None = Field(None, min_length=1, max_length=200)
    purpose: str | None = Field(None, min_length=1, max_length=2000)
    owner: str | None = Field(None, min_length=1, max_length=200)


def list_json(row: WatchlistRow, entries: int | None = None) -> dict[str, Any]:
    """Watchlist JSON."""
    out: dict[str, Any] = {
        "id": row.id, "name": row.name, "kind": row.kind, "threshold": row.threshold,
        "description": row.description, "created_by": row.created_by,
        "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
    }
    if entries is not None:
        out["entries"] = entries
    return out


def entry_json(row: WatchlistEntryRow, photos: list[EntryPhotoRow]) -> dict[str, Any]:
    """Entry JSON (photo ids only; the images are behind their own audited route)."""
    fields = ("id", "watchlist_id", "name", "reference", "legal_basis", "authority", "case_ref",
              "purpose", "owner", "status", "created_by")
    out: dict[str, Any] = {f: getattr(row, f) for f in fields}
    now = datetime.now(UTC)
    out.update(expires_at=row.expires_at.isoformat(), expired=row.expires_at <= now,
               created_at=row.created_at.isoformat(), updated_at=row.updated_at.isoformat(),
               photos=[{"id": p.id, "quality": p.quality, "created_at": p.created_at.isoformat()}
                       for p in photos])
    return out


def _governance_422(exc: GovernanceError) -> HTTPException:
    return unprocessable(str(exc), "body", exc.field)


@router.get("/api/watchlists")
def get_watchlists(deps: Deps, _user: Reader) -> dict[str, Any]:
    """Every watchlist with its entry count."""
    repo = deps.identity.watchlists
    return {"items": [list_json(w, len(repo.entries(w.id))) for w in repo.lists()]}


@router.post("/api/watchlists", status_code=201)
def create_watchlist(body: WatchlistIn, deps: Deps, request: Request,
                     user: Manager) -> dict[str, Any]:
    """Create a watchlist (threshold defaults to ``identity.default_threshold``)."""
    service = deps.identity
    threshold = body.threshold or service.config.default_threshold
    row = service.watchlists.create_list(body.name, body.kind, threshold, body.description,
                                         user.username)
    service.lists_changed()
    audit(request, "watchlist.create", target=row.id,
          details={"name": row.name, "kind": row.kind, "threshold": row.threshold})
    return list_json(row, 0)


@router.get("/api/watchlists/{watchlist_id}")
def get_watchlist(watchlist_id: str, deps: Deps, _user: Reader) -> dict[str, Any]:
    """One watchlist."""
    repo = deps.identity.watchlists
    try:
        return list_json(repo.get_list(watchlist_id), len(repo.entries(watchlist_id)))
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.patch("/api/watchlists/{watchlist_id}")
def patch_watchlist(watchlist_id: str, body: WatchlistPatch, deps: Deps, request: Request,
                    _user: Manager) -> dict[str, Any]:
    """Rename, change kind, threshold or description."""
    changes = body.model_dump(exclude_none=True)
    try:
        row = deps.identity.watchlists.update_list(watchlist_id, changes)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    deps.identity.lists_changed()
    audit(request, "watchlist.update", target=watchlist_id, details=changes)
    return list_json(row)


@router.get("/api/watchlists/{watchlist_id}/entries")
def get_entries(watchlist_id: str, deps: Deps, _user: Reader) -> dict[str, Any]:
    """Entries of a watchlist."""
    repo = deps.identity.watchlists
    try:
        repo.get_list(watchlist_id)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    entries = repo.entries(watchlist_id)
    photos = repo.photos([e.id for e in entries])
    return {"items": [entry_json(e, photos[e.id]) for e in entries]}


@router.post("/api/watchlists/{watchlist_id}/entries", status_code=201)
def create_entry(watchlist_id: str, body: EntryIn, deps: Deps, request: Request,
                 user: Manager) -> dict[str, Any]:
    """Add a governed entry (enrol photos next, with ``POST /api/entries/{id}/photos``)."""
    try:
        row = deps.identity.watchlists.create_entry(watchlist_id, body.model_dump(),
                                                    user.username)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except GovernanceError as exc:
        raise _governance_422(exc) from exc
    details = body.model_dump(mode="json", exclude={"name"})
    audit(request, "watchlist.entry.create", target=row.id,
          details={"watchlist": watchlist_id, **details})
    return entry_json(row, [])


@router.get("/api/entries/{entry_id}")
def get_entry(entry_id: str, deps: Deps, _user: Reader) -> dict[str, Any]:
    """One entry with its photo ids."""
    repo = deps.identity.watchlists
    try:
        row = repo.get_entry(entry_id)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    return entry_json(row, repo.photos([entry_id])[entry_id])


@router.patch("/api/entries/{entry_id}")
def patch_entry(entry_id: str, body: EntryPatch, deps: Deps, request: Request,
                _user: Manager) -> dict[str, Any]:
    """Suspend or resume an entry, change its expiry or details; the index follows at once."""
    changes = body.model_dump(exclude_none=True)
    service = deps.identity
    try:
        row = service.watchlists.update_entry(entry_id, changes)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except GovernanceError as exc:
        raise _governance_422(exc) from exc
    service.entry_changed(entry_id)
    audit(request, "watchlist.entry.update", target=entry_id,
          details=body.model_dump(mode="json", exclude_none=True))
    return entry_json(row, service.watchlists.photos([entry_id])[entry_id])


@router.post("/api/entries/{entry_id}/photos", status_code=201, responses=TOO_LARGE)
async def enrol_photo(entry_id: str, deps: Deps, request: Request, user: Manager,
                      photo: Annotated[UploadFile, File()]) -> dict[str, Any]:
    """Enrol one photo: exactly one sharp, large-enough face; 422 says what is wrong."""
    service = deps.identity
    try:
        service.watchlists.get_entry(entry_id)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    data = await photo.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise HTTPException(413, f"photo is larger than {MAX_PHOTO_BYTES // 1_048_576} MiB")
    try:
        face = await run_in_threadpool(service.enroller.enrol, data)
    except EnrolmentError as exc:
        audit(request, "watchlist.photo.refused", target=entry_id, details={"reason": str(exc)})
        raise unprocessable(str(exc), "body", "photo") from exc
    photo_id = new_id()
    key = f"watchlists/{entry_id}/{photo_id}.jpg"
    digest = service.media.put(key, face.jpeg)
    row = service.watchlists.add_photo(entry_id, key, digest, face.embedding, face.quality,
                                       user.username)
    service.entry_changed(entry_id)
    audit(request, "watchlist.photo.enrol", target=entry_id,
          details={"photo": row.id, "sha256": digest, "quality": face.quality})
    return {"id": row.id, "entry_id": entry_id, "quality": face.quality, "sha256": digest,
            "box": list(face.box)}


@router.get("/api/entries/{entry_id}/photos/{photo_id}.jpg", response_class=Response,
            responses=JPEG)
def get_photo(entry_id: str, photo_id: str, deps: Deps, request: Request,
              _user: Reader) -> Response:
    """An enrolled photo (biometric data: every view is audited)."""
    service = deps.identity
    try:
        row = service.watchlists.get_photo(entry_id, photo_id)
        data = service.media.get(row.media_key)
    except (NotFoundError, KeyError) as exc:
        raise HTTPException(404, f"entry {entry_id!r} has no photo {photo_id!r}") from exc
    audit(request, "watchlist.photo.view", target=entry_id, details={"photo": photo_id})
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})
