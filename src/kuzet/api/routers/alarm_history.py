"""Alarm history search (``search``) and its CSV export (``export`` or ``supervise_alarms``),
both audited.

Filters: time range, camera, site, kind, state, verdict, priority, plate, text in
comments. Newest first, keyset pages. Scoped callers see only their cameras; a
camera or site outside the scope is 403. The export is capped, carries times in
UTC and in the site's zone, and its SHA-256 goes into the audit trail.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.alarm_access import scoped_cameras
from kuzet.api.auth import AuthFirstRoute, CameraScope, CurrentUser, ScopedCameras, audit, require
from kuzet.api.deps import Deps
from kuzet.api.errors import BAD_QUERY, Responses
from kuzet.api.schemas import ApiTime
from kuzet.config.response import Priority
from kuzet.core.types import EventKind
from kuzet.privacy.principal import Permission, Principal
from kuzet.response.alarms import MAX_LIMIT
from kuzet.response.models import AlarmRow
from kuzet.response.search import AlarmSearch, AlarmSearcher
from kuzet.response.states import AlarmState, Verdict
from kuzet.response.views import alarm_json

router = APIRouter(prefix="/api/history", route_class=AuthFirstRoute, tags=["alarms"])
Searcher = Annotated[Principal, require(Permission.SEARCH)]
EXPORTERS = (Permission.EXPORT, Permission.SUPERVISE_ALARMS)


def may_export_history(principal: Principal) -> bool:
    """Analysts (``export``) and supervisors (``supervise_alarms``) export the history CSV."""
    return any(principal.can(p) for p in EXPORTERS)


def history_exporter(principal: CurrentUser) -> Principal:
    """The principal, if they may export the alarm history (else 403)."""
    if not may_export_history(principal):
        raise HTTPException(403, f"your role ({principal.role}) lacks 'export' or "
                                 "'supervise_alarms'")
    return principal


Exporter = Annotated[Principal, Depends(history_exporter)]
EXPORT_CAP = 50_000
COLUMNS = ("id", "opened_at_utc", "opened_at_local", "camera_id", "site", "kind", "rule_id",
           "priority", "state", "verdict", "owner", "unit", "incident_id", "plate",
           "acknowledged_at_utc", "resolved_at_utc", "ack_breached", "resolve_breached")
CSV_ANSWER: Responses = {200: {"content": {"text/csv": {}},
                               "description": "The matching alarms as CSV"}}


class HistoryFilters(BaseModel):
    """Query parameters of the history search; lists are repeated parameters."""

    model_config = ConfigDict(extra="forbid")

    since: ApiTime | None = Field(None, description="Opened at or after (ISO 8601).")
    until: ApiTime | None = Field(None, description="Opened before (ISO 8601).")
    camera: list[str] = Field(default_factory=list, description="Camera id; repeatable.")
    site: list[str] = Field(default_factory=list, description="Site name; repeatable.")
    kind: list[EventKind] = Field(default_factory=list, description="Event kind; repeatable.")
    state: list[AlarmState] = Field(default_factory=list, description="State; repeatable.")
    verdict: list[Verdict] = Field(default_factory=list, description="Verdict; repeatable.")
    priority: list[Priority] = Field(default_factory=list, description="Priority; repeatable.")
    plate: str | None = Field(None, max_length=32, description="Plate; `*` is a wildcard.")
    text: str | None = Field(None, max_length=200, description="Words in comments/reasons.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Page size.")
    cursor: str | None = Field(None, max_length=512, description="`next_cursor` of the "
                                                                   "previous page.")

    def to_search(self, scope: CameraScope) -> AlarmSearch:
        """The repository query, narrowed to the caller's cameras.

        Raises:
            HTTPException: 403 for a camera or site outside the caller's scope.
        """
        cameras = scope.query_cameras(self.camera) if self.camera else scoped_cameras(scope)
        if self.site:
            in_sites = [c for c, site in scope.sites.items() if site in self.site]
            if not any(scope.allows(c) for c in in_sites) and not scope.unrestricted:
                raise HTTPException(403, "these sites are outside your scope")
            pool = in_sites if cameras is None else [c for c in cameras if c in in_sites]
            cameras = [c for c in pool if scope.allows(c)]
        return AlarmSearch(
            since=self.since, until=self.until, cameras=cameras,
            kinds=[str(k) for k in self.kind], states=[str(s) for s in self.state],
            verdicts=[str(v) for v in self.verdict], priorities=[str(p) for p in self.priority],
            plate=self.plate or None, text=(self.text or "").strip() or None,
            limit=self.limit, cursor=self.cursor)  # fmt: skip


Filters = Annotated[HistoryFilters, Query()]


@router.get("/alarms", responses=BAD_QUERY)
def search_alarms(request: Request, deps: Deps, scope: ScopedCameras, _user: Searcher,
                  filters: Filters) -> dict[str, Any]:
    """Alarms matching the filters, newest first (every search is audited)."""
    query = filters.to_search(scope)
    audit(request, "alarm.search", details={"query": request.url.query})
    try:
        page = AlarmSearcher(deps.store.engine).page(query)
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    items = [alarm_json(a) | {"site": scope.sites.get(a.camera_id)} for a in page.items]
    return {"items": items, "next_cursor": page.next_cursor, "timezone": deps.timezone or "UTC"}


def _iso(when: datetime | None) -> str:
    return when.isoformat() if when is not None else ""


def _cell(value: object) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is quoted with ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(row: AlarmRow, zone: ZoneInfo, sites: dict[str, str | None]) -> list[str]:
    values = (row.id, _iso(row.opened_at), row.opened_at.astimezone(zone).isoformat(),
              row.camera_id, sites.get(row.camera_id), row.kind, row.rule_id, row.priority,
              row.state, row.verdict, row.owner, row.unit, row.incident_id,
              (row.attrs or {}).get("plate"), _iso(row.acknowledged_at), _iso(row.resolved_at),
              row.ack_breached_at is not None, row.resolve_breached_at is not None)
    return [_cell(v) for v in values]


@router.get("/alarms.csv", response_class=Response, responses={**CSV_ANSWER, **BAD_QUERY})
def export_alarms(request: Request, deps: Deps, scope: ScopedCameras, _user: Exporter,
                  filters: Filters) -> Response:
    """The matching alarms as CSV (at most 50,000; ``limit``/``cursor`` are ignored).

    The export is recorded in the audit trail with its query, row count and SHA-256.
    """
    query = filters.to_search(scope)
    zone_name = deps.timezone or "UTC"
    zone = ZoneInfo(zone_name)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    try:
        for row in AlarmSearcher(deps.store.engine).all(query, EXPORT_CAP):
            writer.writerow(_csv_row(row, zone, dict(scope.sites)))
            count += 1
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    data = out.getvalue().encode()
    digest = hashlib.sha256(data).hexdigest()
    audit(request, "alarm.export", details={"query": request.url.query, "rows": count,
                                            "sha256": digest, "timezone": zone_name})
    headers = {"Content-Disposition": 'attachment; filename="alarms.csv"',
               "Cache-Control": "private, no-store", "X-Kuzet-Rows": str(count)}
    return Response(data, media_type="text/csv", headers=headers)
