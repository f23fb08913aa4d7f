"""Unmask: a reasoned, time-limited, audited grant to see faces and plates."""

from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.auth import client_ip
from kuzet.api.deps import Deps
from kuzet.api.unmasking import PrincipalDep
from kuzet.privacy.principal import Permission, Principal
from kuzet.privacy.unmask import GrantRequest, UnmaskGrant, UnmaskGrants

router = APIRouter(prefix="/api/unmask", tags=["privacy"])


class UnmaskIn(BaseModel):
    """Body of ``POST /api/unmask``."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1,
        max_length=1000,
        description="Why (audited); at least `privacy.unmask_min_reason` characters.",
    )
    minutes: float | None = Field(
        None, gt=0, description="Duration; default and maximum `privacy.unmask_max_minutes`."
    )
    camera_id: str | None = Field(None, description="Only this camera.")
    event_id: str | None = Field(None, description="Only this event's evidence.")


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


@router.post("", response_model=UnmaskOut, status_code=201, responses={403: {}, 422: {}})
def unmask(body: UnmaskIn, request: Request, deps: Deps, principal: PrincipalDep) -> UnmaskOut:
    """Start seeing faces and plates unblurred, for at most ``privacy.unmask_max_minutes``."""
    user = _unmasker(principal)
    min_reason, max_minutes = deps.privacy.unmask_min_reason, deps.privacy.unmask_max_minutes
    minutes = body.minutes or max_minutes
    if len(body.reason.strip()) < min_reason:
        raise HTTPException(
            422, f"reason: need at least {min_reason} characters, got {len(body.reason.strip())}"
        )
    if minutes > max_minutes:
        raise HTTPException(
            422, f"minutes: at most {max_minutes} (privacy.unmask_max_minutes), got {minutes:g}"
        )
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
