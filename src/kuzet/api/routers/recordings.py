"""Recorded video: segments of a camera, joined spans and event clips, served with Range.

Scope and audit exactly as for snapshots: 403 outside the caller's cameras, and
every view of recorded video is an ``evidence.view`` audit record (one per
playback: the first request of a file, not every Range request the player
makes). Viewers without an active unmask grant get a redacted copy (faces
blurred, re-encoded; ``X-Kuzet-Redacted: 1``); if redaction fails the answer is
503, never the raw video.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import av.error
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.auth import AuthFirstRoute, ScopedCameras, audit, require
from kuzet.api.deps import Deps
from kuzet.api.errors import unprocessable
from kuzet.api.unmasking import unmask_until
from kuzet.core.errors import ModelError
from kuzet.privacy.principal import Permission, Principal
from kuzet.record.playback import Recordings, SpanFile
from kuzet.record.spans import Span

router = APIRouter(route_class=AuthFirstRoute, tags=["recordings"])
Viewer = Annotated[Principal, require(Permission.VIEW_EVENTS)]
MAX_SPAN_S = 3600.0
DEFAULT_SPAN_S = 300.0


class SpanQuery(BaseModel):
    """A time span of one camera (ISO 8601, UTC if no offset); default: the last 5 minutes."""

    model_config = ConfigDict(extra="forbid")

    since: datetime | None = Field(None, description="Start of the span (default until - 5 min).")
    until: datetime | None = Field(None, description="End of the span (default now).")

    def span(self, camera_id: str) -> Span:
        """The span, checked: 422 unless 0 < until - since <= MAX_SPAN_S."""
        until = self.until or datetime.now(UTC)
        since = self.since or until - timedelta(seconds=DEFAULT_SPAN_S)
        seconds = (until - since).total_seconds()
        if not 0 < seconds <= MAX_SPAN_S:
            message = f"the span must be 0 < until - since <= {MAX_SPAN_S:g} s"
            raise unprocessable(message, "query", "until")
        return Span(camera_id, since, until)


def _recordings(deps: Deps) -> Recordings:
    if deps.recordings is None:
        raise HTTPException(404, "recording is not enabled in this deployment")
    return deps.recordings


def _joined(recordings: Recordings, span: Span) -> SpanFile:
    try:
        return recordings.span_file(span.camera_id, span.start, span.end)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except (av.error.FFmpegError, OSError) as error:
        raise HTTPException(503, f"recording unreadable: {error}") from error


@router.get("/api/recordings/{camera_id}/segments")
def list_segments(
    camera_id: str, deps: Deps, scope: ScopedCameras, user: Viewer,
    query: Annotated[SpanQuery, Query()],
) -> dict[str, Any]:
    """Indexed segments of the camera overlapping the span, oldest first."""
    scope.check(camera_id)
    span = query.span(camera_id)
    segments = _recordings(deps).segments(camera_id, span.start, span.end)
    return {
        "camera_id": camera_id,
        "segments": [
            {"key": s.key, "start": s.start.isoformat(), "end": s.end.isoformat(),
             "size": s.size, "codec": s.codec, "sha256": s.sha256, "transcoded": s.transcoded}
            for s in segments
        ],
    }


@router.get("/api/recordings/{camera_id}/span")
def span_map(
    camera_id: str, deps: Deps, scope: ScopedCameras, user: Viewer,
    query: Annotated[SpanQuery, Query()],
) -> dict[str, Any]:
    """The joined file's map (pieces with wall-clock starts) and its media URL."""
    scope.check(camera_id)
    span = query.span(camera_id)
    joined = _joined(_recordings(deps), span)
    url = f"/api/recordings/{camera_id}/span.mp4?since={_q(span.start)}&until={_q(span.end)}"
    return {**joined.to_json(), "camera_id": camera_id, "url": url}


@router.get("/api/recordings/{camera_id}/span.mp4", response_class=FileResponse)
def span_media(
    request: Request, camera_id: str, deps: Deps, scope: ScopedCameras, user: Viewer,
    query: Annotated[SpanQuery, Query()],
) -> FileResponse:
    """The span's segments joined into one MP4 (HTTP Range supported)."""
    scope.check(camera_id)
    span = query.span(camera_id)
    return _serve(request, deps, user, span, None)


@router.get("/api/events/{event_id}/clip")
def event_clip(
    event_id: str, deps: Deps, scope: ScopedCameras, user: Viewer
) -> dict[str, Any]:
    """The event's clip: its span (start - pre_s .. end + post_s), the file map, the URL."""
    span, started = _event_span(deps, scope, event_id)
    joined = _joined(_recordings(deps), span)
    file_start = joined.pieces[0].start
    return {
        **joined.to_json(),
        "event_id": event_id,
        "camera_id": span.camera_id,
        "span": {"start": span.start.isoformat(), "end": span.end.isoformat()},
        "event_offset_s": round(max(0.0, (started - file_start).total_seconds()), 3),
        "url": f"/api/events/{event_id}/clip.mp4",
    }


@router.get("/api/events/{event_id}/clip.mp4", response_class=FileResponse)
def event_clip_media(
    request: Request, event_id: str, deps: Deps, scope: ScopedCameras, user: Viewer
) -> FileResponse:
    """The event's clip as one MP4 (HTTP Range supported; audited like its snapshot)."""
    span, _started = _event_span(deps, scope, event_id)
    return _serve(request, deps, user, span, event_id)


def _event_span(deps: Deps, scope: ScopedCameras, event_id: str) -> tuple[Span, datetime]:
    event = deps.store.events.get(event_id)
    if event is None:
        raise HTTPException(404, f"unknown event {event_id!r}")
    scope.check(event.camera_id)
    span = _recordings(deps).span_of_event(event.camera_id, event.started_at, event.ended_at)
    return span, event.started_at


def _serve(
    request: Request, deps: Deps, user: Principal, span: Span, event_id: str | None
) -> FileResponse:
    recordings = _recordings(deps)
    joined = _joined(recordings, span)
    masked = unmask_until(deps, user, span.camera_id, event_id) is None
    if _first_request(request):
        audit(
            request,
            "evidence.view",
            camera_id=span.camera_id,
            target=event_id or f"{span.camera_id}@{span.start.isoformat()}",
            details={"video": True, "redacted": masked, "start": span.start.isoformat(),
                     "end": span.end.isoformat(), "segments": [p.key for p in joined.pieces]},
        )
    if masked:
        try:
            joined = recordings.redacted(joined, deps.redactor)
        except (av.error.FFmpegError, OSError, ModelError) as error:
            raise HTTPException(503, f"cannot redact the recording: {error}") from error
    headers = {"Cache-Control": "private, no-store", "X-Kuzet-Redacted": "1" if masked else "0"}
    return FileResponse(joined.path, media_type="video/mp4", headers=headers)


def _first_request(request: Request) -> bool:
    """True for a playback's first request (no Range, or a Range from byte 0)."""
    wanted = request.headers.get("range", "").replace(" ", "")
    return not wanted or wanted.startswith("bytes=0-")


def _q(moment: datetime) -> str:
    from urllib.parse import quote

    return quote(moment.isoformat())
