"""Unmask: a reasoned, time-limited, audited grant to see faces and plates."""

from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.auth import AuthFirstRoute, client_ip
from kuzet.api.deps import AppDeps, Deps
from kuzet.api.errors import unprocessable
from kuzet.api.unmasking import PrincipalDep
from kuzet.privacy.principal import Permission, Principal
from kuzet.privacy.unmask import GrantRequest, UnmaskGrant, UnmaskGrants

MAX_UNMASK_MINUTES = 240  # the upper bound of privacy.unmask_max_minutes
router = APIRouter(route_class=AuthFirstRoute, prefix="/api/unmask", tags=["privacy"])


class UnmaskIn(BaseModel):
    """Body of ``POST /api/unmask``."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1,
        max_length=1000,
        description="Why (audited); at least `privacy.unmask_min_reason` characters.",
    )
    minutes: float | None = Field(
        None,
        gt=0,
        le=MAX_UNMASK_MINUTES,
        description="Duration; default and maximum `privacy.unmask_max_minutes`.",
    )
    camera_id: str | None = Field(None, max_length=128, description="Only this camera.")
    event_id: str | None = Field(None, max_length=64, description="Only this event's evidence.")


class UnmaskOut(BaseModel):
    """An unmask grant."""

    id: str
    reason: str
    camera_id: str | None
    event_id: str | None
    expires_at: float
    remaining_s: float

    @staticmethod
    def of(grant: UnmaskGrant) -> UnmaskOut:
        """The API view of a grant."""
        remaining = max(0.0, grant.until - time.time())
        return UnmaskOut(
            id=grant.id,
            reason=grant.reason,
            camera_id=grant.camera_id,
            event_id=grant.event_id,
            expires_at=grant.until,
            remaining_s=remaining,
        )


def _unmasker(principal: Principal) -> Principal:
    if not principal.can(Permission.UNMASK):
        raise HTTPException(403, f"your role ({principal.role}) lacks 'unmask'")
    return principal


def _check_target(deps: AppDeps, principal: Principal, body: UnmaskIn) -> None:
    """404 unless the grant's camera and event exist and are in the caller's scope.

    Unknown and out-of-scope ids get the same answer, so ids cannot be probed.

    Raises:
        HTTPException: 404 for an unknown or out-of-scope camera or event.
    """
    sites = {str(info["id"]): info.get("site") for info in deps.live.camera_info()}
    camera_id = body.camera_id
    if camera_id is not None and not (
        camera_id in sites and principal.sees_camera(camera_id, sites[camera_id])
    ):
        raise HTTPException(404, f"no camera {camera_id!r}")
    if body.event_id is None:
        return
    event = deps.store.events.get(body.event_id)
    if (
        event is None
        or not principal.sees_camera(event.camera_id, sites.get(event.camera_id))
        or (camera_id is not None and event.camera_id != camera_id)
    ):
        raise HTTPException(404, f"no event {body.event_id!r}")


@router.post(
    "", response_model=UnmaskOut, status_code=201, responses={403: {}, 404: {}, 422: {}}
)
def unmask(body: UnmaskIn, request: Request, deps: Deps, principal: PrincipalDep) -> UnmaskOut:
    """Start seeing faces and plates unblurred, for at most ``privacy.unmask_max_minutes``."""
    user = _unmasker(principal)
    min_reason, max_minutes = deps.privacy.unmask_min_reason, deps.privacy.unmask_max_minutes
    minutes = body.minutes or max_minutes
    if len(body.reason.strip()) < min_reason:
        got = len(body.reason.strip())
        raise unprocessable(f"need at least {min_reason} characters, got {got}", "body", "reason")
    if minutes > max_minutes:
        raise unprocessable(
            f"at most {max_minutes} (privacy.unmask_max_minutes), got {minutes:g}",
            "body",
            "minutes",
        )
    _check_target(deps, user, body)
    grant = UnmaskGrants(deps.store.engine).grant(
        GrantRequest(
            user.user_id,
            user.username,
            body.reason.strip(),
            minutes * 60,
            body.camera_id,
            body.event_id,
        )
    )
    deps.audit.record(
        "unmask",
        actor=user.username,
        ip=client_ip(request),
        camera_id=body.camera_id,
        target=body.event_id,
        details={"reason": grant.reason, "grant": grant.id, "minutes": minutes, "phase": "start"},
    )
    return UnmaskOut.of(grant)


@router.get("", response_model=list[UnmaskOut])
def active_grants(deps: Deps, principal: PrincipalDep) -> list[UnmaskOut]:
    """The caller's active grants (the console's countdown)."""
    return [UnmaskOut.of(g) for g in UnmaskGrants(deps.store.engine).active(principal.user_id)]


@router.delete("", response_model=list[UnmaskOut])
def end_unmask(request: Request, deps: Deps, principal: PrincipalDep) -> list[UnmaskOut]:
    """End the caller's grants now (audited)."""
    ended = UnmaskGrants(deps.store.engine).end(principal.user_id)
    if ended:
        deps.audit.record(
            "unmask",
            actor=principal.username,
            ip=client_ip(request),
            details={"phase": "end", "grants": [g.id for g in ended]},
        )
    return [UnmaskOut.of(g) for g in ended]
