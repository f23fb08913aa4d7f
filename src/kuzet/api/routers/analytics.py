"""Verdict analytics: precision per rule, camera and week, and the rules flagged under the floor.

Readers: supervisors and analysts (``supervise_alarms`` or ``search``) and admins
(``manage_rules``: they tune the rules). Figures cover the caller's cameras only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.alarm_access import scoped_cameras
from kuzet.api.auth import AuthFirstRoute, CurrentUser, ScopedCameras
from kuzet.api.deps import Deps
from kuzet.api.errors import BAD_QUERY
from kuzet.api.reports import site_zone, span_of, zone_label
from kuzet.api.templating import templates
from kuzet.privacy.principal import Permission, Principal
from kuzet.response.feedback_models import RuleFlagRow
from kuzet.response.flags import RuleFlags, floor_of
from kuzet.response.stats import Figures, Span, VerdictStats, verdict_stats, week_monday

router = APIRouter(route_class=AuthFirstRoute, tags=["analytics"])
READERS = (Permission.SUPERVISE_ALARMS, Permission.SEARCH, Permission.MANAGE_RULES)


def analytics_reader(principal: CurrentUser) -> Principal:
    """The principal, if a supervisor, analyst or admin (else 403)."""
    if not any(principal.can(p) for p in READERS):
        raise HTTPException(403, f"your role ({principal.role}) cannot read rule analytics")
    return principal


Reader = Annotated[Principal, Depends(analytics_reader)]


class FiguresOut(BaseModel):
    """Figures of one group of alarms (see ``docs/response.md#verdict-feedback``)."""

    key: str = Field(description="Rule id, camera id, ISO week (`2026-W09`) or `all`.")
    alarms: int = Field(description="Alarms opened in the span.")
    open: int = Field(description="Of those, not resolved yet.")
    verdicts: dict[str, int] = Field(description="Count per verdict (all five, zeros too).")
    true_count: int = Field(description="confirmed + referred.")
    false_count: int = Field(description="false_alarm.")
    precision: float | None = Field(description="true / (true + false); null without them.")
    enough: bool = Field(description="At least `min_verdicts` true + false verdicts.")
    below_floor: bool = Field(description="Enough verdicts and precision under the floor.")
    median_ack_s: float | None = Field(description="Median seconds opening -> acknowledged.")
    median_resolve_s: float | None = Field(description="Median seconds opening -> resolved.")

    @classmethod
    def of(cls, f: Figures) -> FiguresOut:
        """From :class:`~kuzet.response.stats.Figures`."""
        return cls(key=f.key, alarms=f.alarms, open=f.open, verdicts=f.verdicts,
                   true_count=f.true_count, false_count=f.false_count, precision=f.precision,
                   enough=f.enough, below_floor=f.below_floor, median_ack_s=f.median_ack_s,
                   median_resolve_s=f.median_resolve_s)


class WeekOut(FiguresOut):
    """Figures of one ISO week."""

    monday: date = Field(description="First day of the week (site time zone).")


class FlagOut(BaseModel):
    """A rule flagged to the admin (its precision over the window fell under the floor)."""

    rule_id: str
    precision: float
    decided: int = Field(description="True + false verdicts behind the precision.")
    floor: float
    flagged_at: datetime
    checked_at: datetime

    @classmethod
    def of(cls, row: RuleFlagRow) -> FlagOut:
        """From a ``rule_flags`` row."""
        return cls(rule_id=row.rule_id, precision=row.precision, decided=row.decided,
                   floor=row.floor, flagged_at=row.flagged_at, checked_at=row.checked_at)


class FlagsOut(BaseModel):
    """Rules flagged now."""

    items: list[FlagOut]


class StatsOut(BaseModel):
    """Verdict figures of a span."""

    model_config = ConfigDict(json_schema_extra={"description": "Precision = (confirmed + "
                              "referred) / (confirmed + referred + false_alarm)."})
    since: datetime
    until: datetime
    timezone: str = Field(description="Zone of the week boundaries, e.g. `Asia/Almaty`.")
    timezone_label: str = Field(description="The zone with its UTC offset, for display.")
    precision_floor: float | None
    min_verdicts: int
    total: FiguresOut
    rules: list[FiguresOut] = Field(description="Per rule, most alarms first.")
    cameras: list[FiguresOut] = Field(description="Per camera, most alarms first.")
    weeks: list[WeekOut] = Field(description="Per ISO week, oldest first.")
    rule_weeks: dict[str, list[FiguresOut]] = Field(description="Per rule, per week.")
    flagged: list[str] = Field(description="Rules under the floor in this span.")
    flags: list[FlagOut] = Field(description="Rules flagged now (window of the config).")


class StatsFilters(BaseModel):
    """Query of ``GET /api/analytics/precision``; lists are repeated parameters."""

    model_config = ConfigDict(extra="forbid")
    since: datetime | None = Field(None, description="Start (default: `until` minus "
                                   "`response.feedback.window_days`); no offset = site time.")
    until: datetime | None = Field(None, description="End (default: now).")
    camera: list[str] = Field(default_factory=list, description="Camera id; repeatable.")
    rule: list[str] = Field(default_factory=list, description="Rule id; repeatable.")


def compute_stats(deps: Deps, scope: ScopedCameras, filters: StatsFilters) -> StatsOut:
    """The figures of ``filters`` over the caller's cameras."""
    config = deps.response.config.feedback
    zone = site_zone(deps.timezone)
    cameras = scope.query_cameras(filters.camera) if filters.camera else scoped_cameras(scope)
    try:
        since, until = span_of(filters.since, filters.until,
                               timedelta(days=config.window_days), zone)
        stats = verdict_stats(deps.store.engine, Span(since, until, cameras, filters.rule),
                              zone, floor_of(config))
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    flags = RuleFlags(deps.store.engine, deps.response).current()
    if cameras is not None:  # a scoped caller hears only of rules they see alarms of
        flags = [f for f in flags if f.rule_id in stats.rule_weeks]
    return _stats_out(stats, zone_label(zone, until), [FlagOut.of(f) for f in flags])


def _stats_out(stats: VerdictStats, label: str, flags: list[FlagOut]) -> StatsOut:
    weeks = [WeekOut(**FiguresOut.of(w).model_dump(), monday=week_monday(w.key))
             for w in stats.weeks]
    return StatsOut(
        since=stats.span.since, until=stats.span.until, timezone=stats.zone_name,
        timezone_label=label, precision_floor=stats.floor.precision,
        min_verdicts=stats.floor.min_verdicts, total=FiguresOut.of(stats.total),
        rules=[FiguresOut.of(f) for f in stats.rules],
        cameras=[FiguresOut.of(f) for f in stats.cameras], weeks=weeks,
        rule_weeks={k: [FiguresOut.of(f) for f in v] for k, v in stats.rule_weeks.items()},
        flagged=stats.flagged, flags=flags,
    )  # fmt: skip


@router.get("/api/analytics/precision", response_model=StatsOut, responses=BAD_QUERY)
def precision(deps: Deps, scope: ScopedCameras, _user: Reader,
              filters: Annotated[StatsFilters, Query()]) -> StatsOut:
    """Precision, counts by verdict and median times per rule, camera and ISO week.

    Precision = (confirmed + referred) / (confirmed + referred + false_alarm);
    `duplicate` and `no_action` count in neither part. A rule is `below_floor` with at
    least `min_verdicts` such verdicts and a precision under `precision_floor`.
    """
    return compute_stats(deps, scope, filters)


@router.get("/api/analytics/flags", response_model=FlagsOut)
def flags(deps: Deps, scope: ScopedCameras, _user: Reader) -> FlagsOut:
    """Rules flagged now: precision under the floor over the configured window."""
    rows = RuleFlags(deps.store.engine, deps.response).current()
    cameras = scoped_cameras(scope)
    if cameras is not None:
        stats = compute_stats(deps, scope, StatsFilters(since=None, until=None))
        rows = [r for r in rows if r.rule_id in stats.rule_weeks]
    return FlagsOut(items=[FlagOut.of(r) for r in rows])


@router.get("/analytics", response_class=HTMLResponse, include_in_schema=False)
def analytics_page(request: Request, deps: Deps, scope: ScopedCameras,
                   _user: Reader) -> HTMLResponse:
    """Plots of precision per rule and week, figures per rule and camera, flagged rules."""
    context = {"page": "analytics", "window_days": deps.response.config.feedback.window_days}
    return templates.TemplateResponse(request, "analytics.html", context)
