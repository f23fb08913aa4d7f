"""The shift handover report (JSON, printable page, PDF) and the outgoing operator's notes.

Supervisors and analysts (``supervise_alarms`` or ``search``) read the whole report
of their cameras; operators and field officers (``handle_events``) read their own:
the same report with only their own workload row. Handlers write notes (audited).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.alarm_access import Handler, actor_of, scoped_cameras
from kuzet.api.auth import AuthFirstRoute, CurrentUser, ScopedCameras, audit
from kuzet.api.deps import Deps
from kuzet.api.errors import BAD_QUERY
from kuzet.api.reports import handover_context, handover_pdf, site_zone, span_of, zone_label
from kuzet.api.templating import templates
from kuzet.privacy.principal import Permission, Principal
from kuzet.response.feedback_models import HandoverNoteRow
from kuzet.response.handover import MAX_NOTE, HandoverDesk, HandoverReport, ShiftQuery
from kuzet.response.views import incident_json

router = APIRouter(route_class=AuthFirstRoute, tags=["handover"])
FULL = (Permission.SUPERVISE_ALARMS, Permission.SEARCH)


def handover_reader(principal: CurrentUser) -> Principal:
    """The principal, if they may read a handover report (whole or their own; else 403)."""
    if not any(principal.can(p) for p in (*FULL, Permission.HANDLE_EVENTS)):
        raise HTTPException(403, f"your role ({principal.role}) has no shift handover")
    return principal


Reader = Annotated[Principal, Depends(handover_reader)]


def own_only(principal: Principal) -> bool:
    """True when the principal sees only their own workload."""
    return not any(principal.can(p) for p in FULL)


class ShiftFilters(BaseModel):
    """The shift: ``from``/``to`` (ISO 8601; no offset = site time)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    since: datetime | None = Field(None, alias="from", description="Start (default: `to` "
                                   "minus `response.feedback.handover_hours`).")
    until: datetime | None = Field(None, alias="to", description="End (default: now).")


class WorkloadOut(BaseModel):
    """One operator's share of the shift."""

    operator: str
    handled: int = Field(description="Distinct alarms they acted on.")
    acknowledged: int
    resolved: int
    false_alarms: int
    median_ack_s: float | None = Field(description="Median s, opening -> their acknowledgement.")


class NoteOut(BaseModel):
    """A handover note."""

    id: int
    author: str
    written_at: datetime
    text: str

    @classmethod
    def of(cls, row: HandoverNoteRow) -> NoteOut:
        """From a ``handover_notes`` row."""
        return cls(id=row.id, author=row.author, written_at=row.written_at, text=row.text)


class HandoverOut(BaseModel):
    """The shift handover report (times UTC; `timezone_label` is what pages show)."""

    since: datetime
    until: datetime
    timezone: str
    timezone_label: str
    own_only: bool = Field(description="Only the caller's own workload is included.")
    generated_at: datetime
    open_incidents: list[dict[str, object]] = Field(description="Incidents open now.")
    alarms: int = Field(description="Alarms opened in the shift.")
    alarms_open: int
    by_kind: dict[str, int]
    by_state: dict[str, int]
    by_verdict: dict[str, int]
    incidents_opened: int
    incidents_closed: int
    workload: list[WorkloadOut]
    notes: list[NoteOut]


class NoteIn(BaseModel):
    """A note for the next shift."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_NOTE, description="Free text.")


def build_report(deps: Deps, scope: ScopedCameras, user: Principal,
                 filters: ShiftFilters) -> tuple[HandoverReport, bool]:
    """The report of ``filters`` for ``user`` over their cameras, and whether it is their own."""
    zone = site_zone(deps.timezone)
    hours = deps.response.config.feedback.handover_hours
    mine = own_only(user)
    try:
        since, until = span_of(filters.since, filters.until, timedelta(hours=hours), zone)
        query = ShiftQuery(since, until, scoped_cameras(scope), user.user_id if mine else None)
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    return HandoverDesk(deps.store.engine, deps.response).report(query), mine


@router.get("/api/reports/handover", response_model=HandoverOut, responses=BAD_QUERY)
def handover(deps: Deps, scope: ScopedCameras, user: Reader,
             filters: Annotated[ShiftFilters, Query()]) -> HandoverOut:
    """The shift handover report (default: the last `response.feedback.handover_hours`)."""
    report, mine = build_report(deps, scope, user, filters)
    zone = site_zone(deps.timezone)
    q = report.query
    return HandoverOut(
        since=q.since, until=q.until, timezone=str(zone), timezone_label=zone_label(zone, q.until),
        own_only=mine, generated_at=report.generated_at,
        open_incidents=[incident_json(i) for i in report.open_incidents], alarms=report.alarms,
        alarms_open=report.alarms_open, by_kind=report.by_kind, by_state=report.by_state,
        by_verdict=report.by_verdict, incidents_opened=report.incidents_opened,
        incidents_closed=report.incidents_closed,
        workload=[WorkloadOut(**asdict(w)) for w in report.workload],
        notes=[NoteOut.of(n) for n in report.notes],
    )  # fmt: skip


PDF_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The report as PDF"}}


@router.get("/api/reports/handover.pdf", response_class=Response,
            responses={**PDF_ANSWER, **BAD_QUERY})
def handover_as_pdf(request: Request, deps: Deps, scope: ScopedCameras, user: Reader,
                    filters: Annotated[ShiftFilters, Query()]) -> Response:
    """The shift handover report as a PDF (A4; times in the site's zone, labelled)."""
    report, mine = build_report(deps, scope, user, filters)
    pdf = handover_pdf(report, site_zone(deps.timezone), mine)
    audit(request, "handover.export", details={"since": report.query.since,
                                               "until": report.query.until, "own_only": mine})
    name = f"handover-{report.query.until.astimezone(site_zone(deps.timezone)):%Y%m%d-%H%M}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.post("/api/reports/handover/notes", response_model=NoteOut, status_code=201)
def write_note(body: NoteIn, request: Request, deps: Deps, user: Handler) -> NoteOut:
    """Leave a note for the next shift (stored, and audited as `handover.note`)."""
    desk = HandoverDesk(deps.store.engine, deps.response)
    try:
        row = desk.write_note(body.text, actor_of(request, user))
    except ValueError as error:
        raise HTTPException(422, [{"loc": ["body", "text"], "msg": str(error),
                                   "type": "value_error"}]) from error
    return NoteOut.of(row)


@router.get("/reports/handover", response_class=HTMLResponse, include_in_schema=False)
def handover_page(request: Request, deps: Deps, scope: ScopedCameras, user: Reader,
                  filters: Annotated[ShiftFilters, Query()]) -> HTMLResponse:
    """The printable handover page, with the note form and a PDF link."""
    report, mine = build_report(deps, scope, user, filters)
    zone = site_zone(deps.timezone)
    context = handover_context(report, zone, mine) | {
        "page": "handover", "can_write": user.can(Permission.HANDLE_EVENTS),
        "since_value": report.query.since.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "until_value": report.query.until.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
    }
    return templates.TemplateResponse(request, "handover.html", context)
