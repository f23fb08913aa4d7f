"""Audit trail (API and auditor page), legal hold and signed evidence exports.

Permissions: VIEW_AUDIT, LEGAL_HOLD and EXPORT. :func:`needs` reads the principal
that authentication (``api.auth.current_principal``, applied to every protected
router) put on the request; swapping it for ``api.auth.require`` is one line.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from kuzet.api.auth import AuthFirstRoute, client_ip
from kuzet.api.deps import AppDeps, Deps
from kuzet.api.errors import ErrorOut, unprocessable
from kuzet.api.schemas import ApiTime
from kuzet.api.unmasking import ANONYMOUS, unmask_until
from kuzet.core.errors import ModelError
from kuzet.privacy.audit import AuditQuery
from kuzet.privacy.export import ExportRequest
from kuzet.privacy.export_media import MediaPolicy
from kuzet.privacy.principal import Permission, Principal
from kuzet.store.events import StoredEvent

if TYPE_CHECKING:
    from kuzet.record.export_clips import RecordedClips

router = APIRouter(route_class=AuthFirstRoute, tags=["audit & evidence"])
WEB_DIR = Path(__file__).resolve().parents[2] / "web"


def _templates() -> Jinja2Templates:
    try:  # the console's templates (signed-in user in the context), once auth is in
        return cast(Jinja2Templates, importlib.import_module("kuzet.api.templating").templates)
    except ImportError:
        return Jinja2Templates(directory=WEB_DIR / "templates")


templates = _templates()


def needs(permission: Permission) -> Any:
    """The request's principal if it holds ``permission`` (403 otherwise).

    None only when the app runs without authentication (no principal at all).
    """

    def check(request: Request) -> Principal | None:
        principal = getattr(request.state, "principal", None)
        if principal is None:
            return None
        if not isinstance(principal, Principal) or not principal.can(permission):
            raise HTTPException(403, f"this needs the {permission.value!r} permission")
        return principal

    return Depends(check)


Auditor = Annotated[Principal | None, needs(Permission.VIEW_AUDIT)]
Holder = Annotated[Principal | None, needs(Permission.LEGAL_HOLD)]
Exporter = Annotated[Principal | None, needs(Permission.EXPORT)]


def _name(principal: Principal | None) -> str | None:
    return None if principal is None else principal.username


def _in_scope(deps: AppDeps, principal: Principal | None, camera_id: str) -> bool:
    """Whether ``camera_id`` is in the caller's camera/site scope (no principal: yes)."""
    if principal is None:
        return True
    sites = {str(info["id"]): info.get("site") for info in deps.live.camera_info()}
    return principal.sees_camera(camera_id, sites.get(camera_id))


class AuditFilters(BaseModel):
    """Query of ``GET /api/audit`` and the ``/audit`` page."""

    model_config = {"extra": "forbid"}

    actor: str | None = Field(default=None, max_length=200)
    action: str | None = Field(default=None, max_length=200)
    camera_id: str | None = Field(default=None, max_length=128)
    since: ApiTime | None = None
    until: ApiTime | None = None
    limit: int = Field(default=50, ge=1, le=500)
    before: int | None = Field(default=None, ge=1, le=2**63 - 1)  # SQL BIGINT

    def query(self) -> AuditQuery:
        """As an :class:`AuditQuery`."""
        return AuditQuery(
            self.actor or None,
            self.action or None,
            self.camera_id or None,
            self.since,
            self.until,
            self.limit,
            self.before,
        )


@router.get("/api/audit")
def list_audit(
    request: Request, deps: Deps, user: Auditor, filters: Annotated[AuditFilters, Query()]
) -> dict[str, Any]:
    """Audit records, newest first; ``next_before`` pages on."""
    page = deps.audit.list(filters.query())
    query = filters.model_dump(exclude_none=True, mode="json")
    deps.audit.record("audit.search", actor=_name(user), ip=client_ip(request), details=query)
    return {"items": [r.to_json() for r in page.items], "next_before": page.next_before}


@router.get("/api/audit/verify")
def verify_audit_chain(request: Request, deps: Deps, user: Auditor) -> dict[str, Any]:
    """Recompute the chain and check the signed checkpoints (``ok`` and the first issue)."""
    from kuzet.privacy.audit_verify import verify_audit

    signer = deps.audit.signer
    report = verify_audit(deps.store.engine, None if signer is None else signer.public_pem())
    deps.audit.record("audit.verify", actor=_name(user), ip=client_ip(request),
                      details={"ok": report.ok})
    return report.to_json()


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request, deps: Deps, user: Auditor, filters: Annotated[AuditFilters, Query()]
) -> HTMLResponse:
    """The auditor's page: filter by actor, action, camera and time; page back."""
    page = deps.audit.list(filters.query())
    deps.audit.record(
        "audit.search",
        actor=_name(user),
        ip=client_ip(request),
        details=filters.model_dump(exclude_none=True, mode="json"),
    )
    more = filters.model_dump(exclude_none=True, exclude={"before"}, mode="json")
    context = {"page": "audit", "records": page.items, "filters": filters, "more": more}
    context["next_before"] = page.next_before
    return templates.TemplateResponse(request, "audit.html", context)


class HoldIn(BaseModel):
    """Why an event is put on (or released from) legal hold."""

    reason: str = Field(min_length=3, max_length=2000)


def _hold(
    request: Request, deps: Deps, event_id: str, user: Principal | None, body: HoldIn, held: bool
) -> dict[str, Any]:
    from kuzet.privacy.legal_hold import get_hold, set_hold

    current = get_hold(deps.store.engine, event_id)
    if current is None:
        raise HTTPException(404, f"no event {event_id!r}")
    if user is not None and not user.sees_camera(current.camera_id):
        raise HTTPException(403, "this camera is outside your scope")
    who = _name(user) or "<unauthenticated>"
    state = set_hold(deps.store.engine, event_id, held=held, by=who, reason=body.reason)
    assert state is not None
    deps.audit.record(
        "event.hold" if held else "event.release",
        actor=_name(user),
        ip=client_ip(request),
        camera_id=state.camera_id,
        target=event_id,
        details={"reason": body.reason},
    )
    return state.to_json()


@router.post("/api/events/{event_id}/hold")
def hold_event(
    request: Request, deps: Deps, event_id: str, user: Holder, body: HoldIn
) -> dict[str, Any]:
    """Put an event on legal hold (retention never deletes it or its media)."""
    return _hold(request, deps, event_id, user, body, held=True)


@router.delete("/api/events/{event_id}/hold")
def release_event(
    request: Request, deps: Deps, event_id: str, user: Holder, body: HoldIn
) -> dict[str, Any]:
    """Release a legal hold (a reason is required here too)."""
    return _hold(request, deps, event_id, user, body, held=False)


class ExportIn(BaseModel):
    """An export: one event, or a camera and time range; always with a reason."""

    model_config = {"extra": "forbid"}

    reason: str = Field(min_length=3, max_length=2000)
    event_id: str | None = Field(default=None, max_length=64)
    camera_id: str | None = Field(default=None, max_length=128)
    since: ApiTime | None = None
    until: ApiTime | None = None


@router.post(
    "/api/exports",
    response_class=Response,
    responses={
        200: {
            "content": {"application/zip": {}},
            "description": "The signed evidence zip",
            "headers": {"X-Kuzet-Video-Omitted": {
                "description": "Videos left out because they could not be redacted",
                "schema": {"type": "integer"}}},
        },
        503: {"description": "No signing key is configured"},
        409: {"model": ErrorOut, "description": "A referral of an event awaits verification"},
    },
)
def create_export(request: Request, deps: Deps, user: Exporter, body: ExportIn) -> Response:
    """A signed evidence zip; media are redacted unless the caller holds an unmask grant.

    The same rule as the snapshot route: without ``unmask`` and an active grant
    covering the event's camera or the event, each image is the redacted copy;
    one that cannot be redacted is left out, with the reason, in the manifest.
    A camera and time span also carries the span's recorded video (redacted the
    same way; video that cannot be redacted is left out, named with the reason in
    the signed manifest, and counted in ``X-Kuzet-Video-Omitted``); a span with
    neither events nor recording is 404.
    An event whose alarm was referred to an external body is exported only once a
    second person verified the referral (409 before); the manifest names them.
    """
    from kuzet.privacy.export import (
        ExportError,
        build_export,
        media_summary,
        select_events,
    )

    if deps.audit.signer is None:
        raise HTTPException(503, "no signing key configured")
    who = _name(user) or "<unauthenticated>"
    try:
        wanted = ExportRequest(
            body.reason, who, body.event_id, body.camera_id, body.since, body.until
        )
        if body.camera_id is not None and not _in_scope(deps, user, body.camera_id):
            # The same answer as for a camera with nothing in the span: ids cannot be probed.
            raise ExportError(f"no events and no recording on camera {body.camera_id!r} "
                              "in that time range")
        events = select_events(deps.store.events, wanted, allow_empty=True)
        if body.event_id is not None and not _in_scope(deps, user, events[0].camera_id):
            raise ExportError(f"no event {body.event_id!r}")
        wanted = _with_referrals(deps, wanted, [e.id for e in events])
        policy = _media_policy(deps, user)
        clips = _clip_source(deps, policy)
        data, events = build_export(deps.store.events, deps.media, deps.audit.signer, wanted,
                                    policy, clips, None if clips is None else clips.span)
    except ExportError as error:
        if str(error).startswith("no "):
            raise HTTPException(404, str(error)) from error
        raise unprocessable(str(error)) from error
    except (OSError, ModelError) as error:  # a recording that cannot be read
        raise HTTPException(503, f"cannot export the recorded video: {error}") from error
    summary = media_summary(data)
    name = f"kuzet-export-{body.event_id if body.event_id else body.camera_id}.zip"
    deps.audit.record(
        "export.create",
        actor=_name(user),
        ip=client_ip(request),
        camera_id=body.camera_id or events[0].camera_id,
        target=name,
        details={
            **body.model_dump(mode="json"),
            "events": len(events),
            **summary,
            "clips": clips is not None,
        },
    )
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "X-Kuzet-Video-Omitted": str(summary["video"]["omitted"])}
    return Response(data, media_type="application/zip", headers=headers)


def _with_referrals(deps: AppDeps, wanted: ExportRequest,
                    event_ids: list[str]) -> ExportRequest:
    """The request with the referrals of its events' alarms (who referred, who verified).

    Raises:
        HTTPException: 409 while one of them awaits verification by a second person.
    """
    referrals = deps.response.referrals.of(event_ids)  # an alarm's id is its event's
    pending = [r["alarm_id"] for r in referrals if r["state"] == "pending"]
    if pending:
        raise HTTPException(409, "referred to an external body and not yet verified by a "
                                 "second person: alarm " + ", ".join(pending))
    return replace(wanted, referrals=tuple(referrals))


def _media_policy(deps: AppDeps, user: Principal | None) -> MediaPolicy:
    """Originals only for events the caller's unmask grants cover (as the snapshot route)."""
    principal = user if user is not None else ANONYMOUS

    def unmasked(event: StoredEvent) -> bool:
        return unmask_until(deps, principal, event.camera_id, event.id) is not None

    def camera_unmasked(camera_id: str) -> bool:
        return unmask_until(deps, principal, camera_id, None) is not None

    return MediaPolicy(deps.redactor.redact_jpeg, unmasked, camera_unmasked)


def _clip_source(deps: AppDeps, policy: MediaPolicy) -> RecordedClips | None:
    """The events' recorded clips and the span's video (redacted unless ``policy``
    unmasks the event or camera)."""
    if deps.recordings is None:
        return None
    from kuzet.record.export_clips import RecordedClips

    return RecordedClips(deps.recordings, deps.redactor, policy.unmasked, policy.camera_unmasked)
