"""Face matches (two-person confirmation) and retrospective face search.

Matches need ``confirm_match`` and respect camera scope (out of scope = 403,
absent from lists). Every view of a match or its probe crop, every decision and
every search is audited; a search records the SHA-256 of the uploaded photo.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.auth import AuthFirstRoute, ScopedCameras, audit, require
from kuzet.api.deps import Deps
from kuzet.api.errors import CONFLICT, JPEG, TOO_LARGE, unprocessable
from kuzet.api.routers.face_sightings import sighting_json
from kuzet.identity.confirmation import ConflictError, Decision, MatchRecord
from kuzet.identity.enrol import EnrolmentError
from kuzet.identity.models import FaceMatchRow
from kuzet.identity.service import IdentityService
from kuzet.identity.sightings import photo_sha256
from kuzet.identity.watchlists import NotFoundError
from kuzet.privacy.principal import Permission, Principal
from kuzet.render.decode import MAX_IMAGE_BYTES

router = APIRouter(route_class=AuthFirstRoute, tags=["matches"])
Verifier = Annotated[Principal, require(Permission.CONFIRM_MATCH)]
Searcher = Annotated[Principal, require(Permission.SEARCH)]
MAX_PHOTO_BYTES = MAX_IMAGE_BYTES  # the bounded decoder's limit (render.decode)


class RejectIn(BaseModel):
    """``POST /api/matches/{id}/reject``."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="Why it is not them.")


def match_json(row: FaceMatchRow) -> dict[str, Any]:
    """Match JSON for lists."""
    return {
        "id": row.id, "event_id": row.event_id, "camera_id": row.camera_id,
        "track_id": row.track_id, "matched_at": row.matched_at.isoformat(),
        "frame_ts": row.frame_ts, "watchlist_id": row.watchlist_id,
        "watchlist": row.watchlist_name, "watchlist_kind": row.watchlist_kind,
        "entry_id": row.entry_id, "entry_name": row.entry_name, "score": row.score,
        "threshold": row.threshold, "quality": row.quality, "probe_sha256": row.probe_sha256,
        "status": row.status,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }


def record_json(record: MatchRecord, photo_ids: list[str]) -> dict[str, Any]:
    """Match JSON with the verifiers' decisions and the entry's photo ids."""
    out = match_json(record.match)
    out["confirmations"] = [
        {"user": c.username, "decision": c.decision, "at": c.at.isoformat(), "reason": c.reason}
        for c in record.confirmations
    ]
    out["photo_id"] = record.match.photo_id
    out["entry_photo_ids"] = photo_ids
    return out


def _load(service: IdentityService, match_id: str, scope: ScopedCameras) -> MatchRecord:
    try:
        record = service.matches.get(match_id)
    except NotFoundError as exc:
        if not scope.unrestricted:
            raise HTTPException(403, "this match is outside your scope") from exc
        raise HTTPException(404, str(exc)) from exc
    scope.check(record.match.camera_id)
    return record


def _photo_ids(service: IdentityService, entry_id: str) -> list[str]:
    return [p.id for p in service.watchlists.photos([entry_id])[entry_id]]


# The console polls the queue every few seconds; an unchanged list is not audited
# again. app.state.match_lists: user id -> digest of the list last recorded for them.
_LAST_LISTED_MAX = 10_000


def _audit_list_once(request: Request, user: Principal, status: str | None,
                     records: Sequence[MatchRecord]) -> None:
    shown = sorted((r.match.id, r.match.status, len(r.confirmations)) for r in records)
    digest = hashlib.sha256(json.dumps([status, shown]).encode()).hexdigest()
    last: dict[str, str] = request.app.state.__dict__.setdefault("match_lists", {})
    if last.get(user.user_id) == digest:
        return
    if len(last) >= _LAST_LISTED_MAX:
        last.clear()
    last[user.user_id] = digest
    audit(request, "match.list",
          details={"status": status, "count": len(records), "ids": [m[0] for m in shown]})


@router.get("/api/matches")
def list_matches(
    deps: Deps, scope: ScopedCameras, request: Request, user: Verifier,
    status: Literal["pending", "confirmed", "rejected"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Matches in the caller's camera scope, newest first, with their decisions.

    Audited as ``match.list`` (the ids shown) whenever what the user is shown changes.
    """
    cameras = scope.query_cameras([])
    service = deps.identity
    records = [] if cameras == [] else service.matches.list_records(status, cameras, limit)
    _audit_list_once(request, user, status, records)
    photos = service.watchlists.photos(sorted({r.match.entry_id for r in records}))
    return {"items": [record_json(r, [p.id for p in photos[r.match.entry_id]])
                      for r in records]}


@router.get("/api/matches/{match_id}")
def get_match(match_id: str, deps: Deps, scope: ScopedCameras, request: Request,
              _user: Verifier) -> dict[str, Any]:
    """One match: camera, time, list, entry, score, probe hash, decisions, entry photos."""
    service = deps.identity
    record = _load(service, match_id, scope)
    audit(request, "match.view", camera_id=record.match.camera_id, target=match_id)
    return record_json(record, _photo_ids(service, record.match.entry_id))


@router.get("/api/matches/{match_id}/probe.jpg", response_class=Response, responses=JPEG)
def get_probe(match_id: str, deps: Deps, scope: ScopedCameras, request: Request,
              _user: Verifier) -> Response:
    """The probe crop of a match (biometric: audited)."""
    service = deps.identity
    row = _load(service, match_id, scope).match
    try:
        data = service.media.get(row.probe_key or "")
    except (KeyError, ValueError) as exc:
        raise HTTPException(404, f"the probe crop of match {match_id} is gone") from exc
    audit(request, "match.probe.view", camera_id=row.camera_id, target=match_id,
          details={"sha256": row.probe_sha256})
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


def _decide(request: Request, deps: Deps, scope: ScopedCameras, match_id: str,
            user: Principal, rejection: RejectIn | None) -> dict[str, Any]:
    """Confirm (``rejection`` None) or reject, audited with the per-use log fields."""
    decision = Decision.CONFIRM if rejection is None else Decision.REJECT
    reason = None if rejection is None else rejection.reason
    service = deps.identity
    row = _load(service, match_id, scope).match
    try:
        record = service.decide(match_id, user.user_id, user.username, decision, reason)
    except ConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    m = record.match
    audit(request, f"match.{decision.value}", camera_id=row.camera_id, target=match_id,
          details={"status": m.status, "watchlist": m.watchlist_name, "entry": m.entry_name,
                   "score": m.score, "probe_sha256": m.probe_sha256, "reason": reason,
                   "verifiers": [c.username for c in record.confirmations]})
    return record_json(record, _photo_ids(service, m.entry_id))


@router.post("/api/matches/{match_id}/confirm", responses=CONFLICT)
def confirm_match(match_id: str, deps: Deps, scope: ScopedCameras, request: Request,
                  user: Verifier) -> dict[str, Any]:
    """Confirm: a second confirmation by a different user makes the match actionable."""
    return _decide(request, deps, scope, match_id, user, None)


@router.post("/api/matches/{match_id}/reject", responses=CONFLICT)
def reject_match(match_id: str, body: RejectIn, deps: Deps, scope: ScopedCameras,
                 request: Request, user: Verifier) -> dict[str, Any]:
    """Reject with a reason (the match closes as ``rejected``)."""
    return _decide(request, deps, scope, match_id, user, body)


@router.post("/api/faces/search", responses=TOO_LARGE)
async def search_faces(
    deps: Deps, scope: ScopedCameras, request: Request, _user: Searcher,
    photo: Annotated[UploadFile, File()],
    threshold: Annotated[float | None, Query(gt=0, le=1.5)] = None,
) -> dict[str, Any]:
    """Retained face sightings close to the face in ``photo`` (in scope; audited)."""
    service = deps.identity
    data = await photo.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise HTTPException(413, f"photo is larger than {MAX_PHOTO_BYTES // 1_048_576} MiB")
    digest = photo_sha256(data)
    limit = threshold or service.config.default_threshold
    retained = service.config.retain_unmatched
    audit(request, "face.search", details={"photo_sha256": digest, "threshold": limit})
    if not retained and service.sightings.count() == 0:
        return {"retained": False, "items": [], "photo_sha256": digest,
                "message": "face sightings are not retained (identity.retain_unmatched is "
                           "off), so there is nothing to search"}
    try:
        face = await run_in_threadpool(service.enroller.enrol, data)
    except EnrolmentError as exc:
        raise unprocessable(str(exc), "body", "photo") from exc
    cameras = scope.query_cameras([])
    hits = [] if cameras == [] else service.sightings.search(face.embedding, limit, cameras)
    items = await run_in_threadpool(
        lambda: [sighting_json(deps, h.sighting, h.distance) for h in hits])
    return {"retained": retained, "items": items, "photo_sha256": digest, "threshold": limit}
