"""The transparency report: the auditor previews and publishes; anyone reads what was published.

Publishing stores the JSON and the HTML as they were built; the public pages
serve that stored copy (a later rebuild does not change a published report
until it is published again). Publishing is audited (``transparency.publish``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from kuzet.api.auth import AuthFirstRoute, audit, require
from kuzet.api.deps import AppDeps, Deps
from kuzet.api.errors import ErrorOut
from kuzet.api.templating import templates
from kuzet.privacy.principal import Permission, Principal
from kuzet.transparency.published import PublishedReportRow, PublishedReports
from kuzet.transparency.render import to_html
from kuzet.transparency.report import ReportInput, build, month_span

public_router = APIRouter(tags=["transparency (public)"])
router = APIRouter(prefix="/api/transparency", route_class=AuthFirstRoute,
                   tags=["transparency"])
UNPUBLISHED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Nothing published for this period"}}


def _input(deps: AppDeps) -> ReportInput:
    signer = deps.audit.signer
    return ReportInput(deps.store.engine, deps.cameras, deps.transparency,
                       signer.public_pem() if signer is not None else None)


def _period(period: str) -> str:
    try:
        month_span(period)
    except ValueError as error:
        raise HTTPException(404, str(error)) from error
    return period


@public_router.get("/transparency", response_class=HTMLResponse, include_in_schema=False)
def published_list(request: Request, deps: Deps) -> HTMLResponse:
    """Links to every published report (public)."""
    periods = PublishedReports(deps.store.engine).periods()
    return templates.TemplateResponse(request, "transparency_list.html", {"periods": periods})


@public_router.get("/transparency/{period}", response_class=HTMLResponse,
                   include_in_schema=False)
def published_page(period: str, deps: Deps) -> HTMLResponse:
    """A published report as HTML (public)."""
    row = PublishedReports(deps.store.engine).get(_period(period))
    if row is None:
        raise HTTPException(404, "nothing published for this period")
    return HTMLResponse(row.html)


@public_router.get("/api/public/transparency/{period}", responses=UNPUBLISHED)
def published_json(period: str, deps: Deps) -> dict[str, Any]:
    """A published report as JSON (public)."""
    row = PublishedReports(deps.store.engine).get(_period(period))
    if row is None:
        raise HTTPException(404, "nothing published for this period")
    return row.body


@router.get("/{period}", responses=UNPUBLISHED)
def preview(period: str, deps: Deps,
            user: Principal = require(Permission.VIEW_AUDIT)) -> dict[str, Any]:
    """The report of a month as it would be published now (auditors)."""
    return build(_input(deps), _period(period))


@router.post("/{period}/publish", responses=UNPUBLISHED)
def publish(request: Request, period: str, deps: Deps,
            user: Principal = require(Permission.VIEW_AUDIT)) -> dict[str, Any]:
    """Build and publish the report of a month (auditors); replaces an earlier publication."""
    now = datetime.now(UTC)
    report = build(_input(deps), _period(period), now)
    PublishedReports(deps.store.engine).publish(PublishedReportRow(
        period=period, published_at=now, published_by=user.username, body=report,
        html=to_html(report)))
    audit(request, "transparency.publish", target=period,
          details={"audit_verified": report["audit_chain"]["verified"]})
    return {"period": period, "published_at": now.isoformat(), "url": f"/transparency/{period}"}
