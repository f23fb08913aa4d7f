"""Line counts: per-bucket crossings of a camera's lines, by class and direction."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kuzet.api.auth import AuthFirstRoute, ScopedCameras, require
from kuzet.api.deps import Deps
from kuzet.api.schemas import ApiTime
from kuzet.privacy.principal import Permission, Principal
from kuzet.store.counts import BUCKETS, CountQuery, CountSeries

router = APIRouter(route_class=AuthFirstRoute, prefix="/api/counts", tags=["counts"])
Viewer = Annotated[Principal, require(Permission.VIEW_EVENTS)]


class CountFilters(BaseModel):
    """Query parameters of ``GET /api/counts``; ``line`` may be repeated."""

    model_config = ConfigDict(extra="forbid")

    camera: str = Field(max_length=128, description="Camera id.")
    line: list[str] = Field(default_factory=list, description="Line name; repeat for several.")
    since: ApiTime | None = Field(None, description="From this time (ISO 8601; naive = UTC).")
    until: ApiTime | None = Field(None, description="Before this time (ISO 8601).")
    bucket: int = Field(60, description="Bucket size in seconds: 60, 900 or 3600.")

    @field_validator("bucket")
    @classmethod
    def _known_bucket(cls, value: int) -> int:
        if value not in BUCKETS:
            raise ValueError(f"bucket must be one of {BUCKETS}")
        return value


class CountPointOut(BaseModel):
    """One bucket: its start (UTC) and the crossings in it."""

    start: datetime
    count: int


class CountSeriesOut(BaseModel):
    """Crossings of one line by one class in one direction, oldest bucket first."""

    line: str
    label: str
    direction: str
    total: int
    points: list[CountPointOut]

    @classmethod
    def from_series(cls, s: CountSeries) -> CountSeriesOut:
        """From the repository's series."""
        points = [CountPointOut(start=t, count=n) for t, n in s.points]
        return cls(line=s.line, label=s.label, direction=s.direction, total=s.total, points=points)


class CountsOut(BaseModel):
    """``GET /api/counts`` answer; buckets without crossings are left out."""

    camera: str
    bucket: int
    series: list[CountSeriesOut]


@router.get("", response_model=CountsOut, responses={403: {}, 404: {}})
def get_counts(
    deps: Deps, scope: ScopedCameras, _user: Viewer, filters: Annotated[CountFilters, Query()]
) -> CountsOut:
    """Crossings per bucket for each line, class and direction of one camera.

    Needs ``view_events``; a camera outside the caller's scope is 403.
    """
    scope.check(filters.camera)
    known = {info["id"] for info in deps.live.camera_info()}
    if filters.camera not in known:
        raise HTTPException(404, f"unknown camera {filters.camera!r}")
    query = CountQuery(
        camera_id=filters.camera,
        lines=filters.line,
        since=filters.since,
        until=filters.until,
        bucket=filters.bucket,
    )
    series = deps.store.counts.series(query)
    return CountsOut(
        camera=filters.camera,
        bucket=filters.bucket,
        series=[CountSeriesOut.from_series(s) for s in series],
    )
