"""Recorded video: segments of a camera, joined spans and event clips, served with Range.

Scope and audit exactly as for snapshots: 403 outside the caller's cameras, and
every view of recorded video is an ``evidence.view`` audit record (one per
playback: the first request of a file, not every Range request the player
makes). Viewers without an active unmask grant get a redacted copy (faces
blurred, re-encoded; ``X-Kuzet-Redacted: 1``); if redaction fails the answer is
503, never the raw video.

Redacted playback is progressive: a masked viewer's map lists ``parts`` (one
redacted piece per recorded segment, ``.../parts/{i}.mp4``, each made when first
asked for) that the console's player appends to a Media Source, so it plays the
first part while later ones are still being redacted. Part requests are audited
as one view per viewer and span (repeats within ``VIEW_ONCE_S`` are not).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

import av.error
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.auth import AuthFirstRoute, ScopedCameras, audit, require
from kuzet.api.deps import Deps
from kuzet.api.errors import unprocessable
from kuzet.api.unmasking import unmask_until
from kuzet.core.errors import ModelError
from kuzet.privacy.principal import Permission, Principal
from kuzet.record.pieces import MIME
from kuzet.record.playback import Recordings, SpanFile
from kuzet.record.spans import Span

router = APIRouter(route_class=AuthFirstRoute, tags=["recordings"])
Viewer = Annotated[Principal, require(Permission.VIEW_EVENTS)]
MAX_SPAN_S = 3600.0
DEFAULT_SPAN_S = 300.0
VIEW_ONCE_S = 600.0  # part requests of one viewer and span within this are one view
PartIndex = Annotated[int, Path(ge=0, le=10_000, description="Piece number in the span's map.")]


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
    q = f"?since={_q(span.start)}&until={_q(span.end)}"
    url = f"/api/recordings/{camera_id}/span.mp4{q}"
    parts = _parts(deps, user, span, None, joined, f"/api/recordings/{camera_id}/parts/{{}}.mp4{q}")
    return {**joined.to_json(), "camera_id": camera_id, "url": url, **parts}


@router.get("/api/recordings/{camera_id}/span.mp4", response_class=FileResponse)
def span_media(
    request: Request, camera_id: str, deps: Deps, scope: ScopedCameras, user: Viewer,
    query: Annotated[SpanQuery, Query()],
) -> FileResponse:
    """The span's segments joined into one MP4 (HTTP Range supported)."""
    scope.check(camera_id)
    span = query.span(camera_id)
    return _serve(request, deps, user, span, None)


@router.get("/api/recordings/{camera_id}/parts/{index}.mp4", response_class=FileResponse)
def span_part(  # noqa: PLR0913 - FastAPI dependencies
    request: Request, camera_id: str, index: PartIndex, deps: Deps, scope: ScopedCameras,
    user: Viewer, query: Annotated[SpanQuery, Query()],
) -> FileResponse:
    """Redacted piece ``index`` of the span (fragmented MP4; made when first asked for)."""
    scope.check(camera_id)
    return _serve_part(request, deps, query.span(camera_id), None, index)


@router.get("/api/events/{event_id}/clip/parts/{index}.mp4", response_class=FileResponse)
def event_clip_part(
    request: Request, event_id: str, index: PartIndex, deps: Deps, scope: ScopedCameras,
    user: Viewer,
) -> FileResponse:
    """Redacted piece ``index`` of the event's clip (fragmented MP4)."""
    span, _started = _event_span(deps, scope, event_id)
    return _serve_part(request, deps, span, event_id, index)


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
        **_parts(deps, user, span, event_id, joined, f"/api/events/{event_id}/clip/parts/{{}}.mp4"),
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


def _parts(
    deps: Deps, user: Principal, span: Span, event_id: str | None, joined: SpanFile, url: str
) -> dict[str, Any]:
    """For a masked viewer: ``redacted``, the Media Source type and one URL per piece
    (progressive playback); for an unmasked one ``redacted: false`` only."""
    if unmask_until(deps, user, span.camera_id, event_id) is not None:
        return {"redacted": False}
    return {"redacted": True, "mime": MIME,
            "parts": [{"url": url.format(i), "offset_s": round(p.offset_s, 3),
                       "duration_s": round(p.duration_s, 3)}
                      for i, p in enumerate(joined.pieces)]}


def _serve_part(
    request: Request, deps: Deps, span: Span, event_id: str | None, index: int
) -> FileResponse:
    """The redacted copy of piece ``index`` of ``span`` (always redacted), audited once
    per viewer and span."""
    recordings = _recordings(deps)
    joined = _joined(recordings, span)
    if index >= len(joined.pieces):
        raise HTTPException(404, f"the span has {len(joined.pieces)} pieces")
    target = event_id or f"{span.camera_id}@{span.start.isoformat()}"
    if _views(request).first(request, target):
        audit(request, "evidence.view", camera_id=span.camera_id, target=target,
              details={"video": True, "redacted": True, "progressive": True,
                       "start": span.start.isoformat(), "end": span.end.isoformat(),
                       "segments": [p.key for p in joined.pieces]})
    try:
        path = recordings.pieces.piece(joined.pieces[index].key, deps.redactor)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except (av.error.FFmpegError, OSError, ModelError) as error:
        raise HTTPException(503, f"cannot redact the recording: {error}") from error
    headers = {"Cache-Control": "private, no-store", "X-Kuzet-Redacted": "1"}
    return FileResponse(path, media_type="video/mp4", headers=headers)


class _ViewLog:
    """Who viewed which span lately: a progressive playback's part requests are one view."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def first(self, request: Request, target: str) -> bool:
        """True (and noted) unless this viewer asked for ``target`` in the last
        ``VIEW_ONCE_S`` seconds."""
        principal = getattr(request.state, "principal", None)
        who = principal.username if isinstance(principal, Principal) else "-"
        now = time.monotonic()
        with self._lock:
            self._seen = {k: t for k, t in self._seen.items() if now - t < VIEW_ONCE_S}
            if (who, target) in self._seen:
                return False
            self._seen[(who, target)] = now
            return True


_views_lock = threading.Lock()


def _views(request: Request) -> _ViewLog:
    """The app's view log (one per app, made on first use)."""
    state = request.app.state
    with _views_lock:
        if getattr(state, "video_views", None) is None:
            state.video_views = _ViewLog()
        return cast(_ViewLog, state.video_views)


def _first_request(request: Request) -> bool:
    """True for a playback's first request (no Range, or a Range from byte 0)."""
    wanted = request.headers.get("range", "").replace(" ", "")
    return not wanted or wanted.startswith("bytes=0-")


def _q(moment: datetime) -> str:
    from urllib.parse import quote

    return quote(moment.isoformat())
