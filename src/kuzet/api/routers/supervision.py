"""What supervisors check: notices (skipped procedure steps ...) and referrals to verify.

``GET /api/notices`` and acknowledging one need ``supervise_alarms``. A referral
(an alarm resolved as ``referred``) is verified or rejected by a supervisor
other than the one who referred it (``POST /api/alarms/{id}/verify``); anyone who
reads alarms may list referrals. Each user sees only their cameras' items.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.alarm_access import (
    Reader,
    Supervisor,
    actor_of,
    http_errors,
    load_alarm,
    load_incident,
    scoped_cameras,
)
from kuzet.api.auth import AuthFirstRoute, ScopedCameras
from kuzet.api.deps import Deps
from kuzet.api.errors import BAD_QUERY, ErrorOut, Responses, unprocessable
from kuzet.response.alarms import MAX_LIMIT
from kuzet.response.errors import NotFoundError
from kuzet.response.notices import NoticeQuery, notice_json
from kuzet.response.referrals import ReferralQuery

router = APIRouter(route_class=AuthFirstRoute, tags=["supervision"])


def _conflict(description: str) -> Responses:
    return {409: {"model": ErrorOut, "description": description}}


class NoticeFilters(BaseModel):
    """Query parameters of ``GET /api/notices``."""

    model_config = ConfigDict(extra="forbid")
    open: bool = Field(True, description="Only notices nobody acknowledged yet.")
    incident: str | None = Field(None, max_length=32, description="Only this incident's.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Page size.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")


class ReferralFilters(BaseModel):
    """Query parameters of ``GET /api/referrals``."""

    model_config = ConfigDict(extra="forbid")
    state: Literal["pending", "verified", "rejected"] | None = Field(
        None, description="Only referrals in this state; none = all.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Page size.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")


class VerifyIn(BaseModel):
    """A second person's decision on a referral."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal["verified", "rejected"] = Field(
        "verified", description="`verified`: it may leave; `rejected`: it must not.")
    note: str | None = Field(None, max_length=4000,
                             description="What was checked (required to reject).")


@router.get("/api/notices", responses=BAD_QUERY)
def list_notices(deps: Deps, scope: ScopedCameras, _user: Supervisor,
                 filters: Annotated[NoticeFilters, Query()]) -> dict[str, Any]:
    """Supervisor notices of the caller's incidents, newest first (keyset pages)."""
    query = NoticeQuery(filters.open, filters.incident, scoped_cameras(scope), filters.limit,
                        filters.cursor)
    try:
        page = deps.response.sop.notices.page(query)
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    return {"items": [notice_json(n) for n in page.items], "next_cursor": page.next_cursor}


@router.post("/api/notices/{notice_id}/acknowledge",
             responses=_conflict("Another supervisor acknowledged it first"))
def acknowledge_notice(notice_id: int, request: Request, deps: Deps, scope: ScopedCameras,
                       user: Supervisor) -> dict[str, Any]:
    """Mark a notice seen (once)."""
    notices = deps.response.sop.notices
    try:
        row = notices.get(notice_id)
    except NotFoundError as error:
        status = 404 if scope.unrestricted else 403
        raise HTTPException(status, str(error) if status == 404 else
                            "this notice is outside your scope") from error
    if row.alarm_id is not None:
        load_alarm(deps.response, row.alarm_id, scope)
    elif row.incident_id is not None:
        load_incident(deps.response, row.incident_id, scope)
    with http_errors():
        row = deps.response.sop.acknowledge_notice(notice_id, actor_of(request, user))
    return notice_json(row)


@router.get("/api/referrals", responses=BAD_QUERY)
def list_referrals(deps: Deps, scope: ScopedCameras, _user: Reader,
                   filters: Annotated[ReferralFilters, Query()]) -> dict[str, Any]:
    """Alarms resolved as ``referred``, newest first, with who referred and who checked them."""
    query = ReferralQuery(filters.state, scoped_cameras(scope), filters.limit, filters.cursor)
    try:
        page = deps.response.referrals.page(query)
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/api/alarms/{alarm_id}/verify",
             responses=_conflict("Not a referral, or already verified or rejected"))
def verify_referral(alarm_id: str, body: VerifyIn, request: Request, deps: Deps,
                    scope: ScopedCameras, user: Supervisor) -> dict[str, Any]:
    """Verify or reject a referral as a second person (403 for the one who referred it)."""
    load_alarm(deps.response, alarm_id, scope)
    if body.decision == "rejected" and not (body.note or "").strip():
        raise unprocessable("rejecting a referral needs a note", "body", "note")
    with http_errors():
        return deps.response.referrals.decide(alarm_id, body.decision == "verified",
                                              body.note, actor_of(request, user))
