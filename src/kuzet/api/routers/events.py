"""Events: filtered history, one event, its snapshot, and the live SSE stream."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kuzet.api.alarm_access import update_payload
from kuzet.api.auth import AuthFirstRoute, ScopedCameras, audit, require, still_signed_in
from kuzet.api.deps import Deps, EventRepoDep, MediaDep
from kuzet.api.errors import BAD_QUERY
from kuzet.api.schemas import ApiTime, EventOut, EventPageOut
from kuzet.api.streams import NO_CACHE, UpdateFeed, sse_events
from kuzet.api.unmasking import unmask_until
from kuzet.config.rules import known_event_kinds
from kuzet.core.types import EventKind
from kuzet.privacy.principal import Permission, Principal
from kuzet.privacy.snapshots import RedactionUnavailable, redacted_copy
from kuzet.store.events import MAX_LIMIT, EventQuery

router = APIRouter(route_class=AuthFirstRoute, prefix="/api/events", tags=["events"])
Viewer = Annotated[Principal, require(Permission.VIEW_EVENTS)]


class EventFilters(BaseModel):
    """Query parameters of ``GET /api/events``; lists are repeated parameters."""

    model_config = ConfigDict(extra="forbid")

    camera: list[str] = Field(default_factory=list, description="Camera id; repeat for several.")
    kind: list[EventKind] = Field(default_factory=list, description="Kind; repeat for several.")
    status: Literal["open", "closed"] | None = Field(None, description="open or closed.")
    since: ApiTime | None = Field(None, description="Started at or after (ISO 8601).")
    until: ApiTime | None = Field(None, description="Started before (ISO 8601).")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Page size.")
    cursor: str | None = Field(
        None, max_length=512, description="`next_cursor` of the previous page."
    )

    @field_validator("kind")
    @classmethod
    def _known_kinds(cls, kinds: list[EventKind]) -> list[EventKind]:
        # EventKind takes any snake_case name (a rule kind's own type): a typo is
        # still a 422, a kind some rule model declares is not.
        unknown = sorted(set(kinds) - known_event_kinds())
        if unknown:
            raise ValueError(f"unknown event kinds {unknown}")
        return kinds

    def to_query(self, cameras: list[str] | None = None) -> EventQuery:
        """The repository query (``cameras``: the scoped camera list, if narrowed)."""
        return EventQuery(
            cameras=self.camera if cameras is None else cameras,
            kinds=[str(k) for k in self.kind],
            since=self.since,
            until=self.until,
            status=self.status,
            limit=self.limit,
            before_cursor=self.cursor,
        )


@router.get("", response_model=EventPageOut, responses=BAD_QUERY)
def list_events(
    request: Request,
    deps: Deps,
    filters: Annotated[EventFilters, Query()],
    scope: ScopedCameras,
    _user: Viewer,
) -> EventPageOut:
    """Events of the caller's cameras, newest first, with keyset pagination.

    Naive times are taken as UTC. Asking for a camera outside the caller's scope
    is 403; every search is written to the audit trail with its query string.
    """
    cameras = scope.query_cameras(filters.camera)
    audit(request, "event.search", details={"query": request.url.query})
    if cameras == []:
        return EventPageOut(items=[], next_cursor=None)
    try:
        page = deps.store.events.list(filters.to_query(cameras))
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    return EventPageOut(
        items=[EventOut.from_stored(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_events(
    request: Request, deps: Deps, scope: ScopedCameras, _user: Viewer
) -> StreamingResponse:
    """Live event updates of the caller's cameras as Server-Sent Events.

    The SSE event name is the phase (``open``, ``update``, ``close``) and the data
    is the event's JSON. Alarm and incident changes come as ``alarm`` and
    ``incident`` messages (the object's JSON plus ``action``). A ``ready`` event is
    sent once the stream is subscribed. The stream ends when the caller's session
    or token stops being valid.
    """
    feed = UpdateFeed(deps.response.updates, update_payload(deps.response, scope))
    body = sse_events(
        deps.bus,
        deps.sse_heartbeat_s,
        deps.sse_queue_size,
        lambda e: scope.allows(e.camera_id),
        still_signed_in(request, deps),
        feed,
    )
    return StreamingResponse(body, media_type="text/event-stream", headers=NO_CACHE)


@router.get("/{event_id}", response_model=EventOut, responses={404: {}})
def get_event(
    event_id: str, repo: EventRepoDep, scope: ScopedCameras, _user: Viewer
) -> EventOut:
    """One event by id (403 when its camera is outside the caller's scope)."""
    event = repo.get(event_id)
    if event is None:
        raise HTTPException(404, f"unknown event {event_id!r}")
    scope.check(event.camera_id)
    return EventOut.from_stored(event)


@router.get(
    "/{event_id}/snapshot.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, 404: {}, 503: {}},
)
def get_snapshot(
    request: Request,
    event_id: str,
    deps: Deps,
    media: MediaDep,
    scope: ScopedCameras,
    user: Viewer,
) -> Response:
    """The event's JPEG snapshot (evidence: every view is audited; 403 out of scope).

    Faces and plates are blurred (header ``X-Kuzet-Redacted: 1``) unless the caller
    holds ``unmask`` and an active grant covering the camera or event. A snapshot
    without a stored redacted copy is redacted now and the copy kept; if that
    fails the answer is 503, never the raw image.
    """
    event = deps.store.events.get(event_id)
    if event is None or event.snapshot_key is None:
        raise HTTPException(404, f"no snapshot for event {event_id!r}")
    scope.check(event.camera_id)
    masked = unmask_until(deps, user, event.camera_id, event_id) is None
    audit(
        request,
        "evidence.view",
        camera_id=event.camera_id,
        target=event_id,
        details={"redacted": masked},
    )
    try:
        if masked:
            data = redacted_copy(media, event.snapshot_key, deps.redactor.redact_jpeg)
        else:
            data = media.get(event.snapshot_key)
    except (KeyError, ValueError) as error:
        raise HTTPException(404, f"snapshot of event {event_id!r} is missing") from error
    except RedactionUnavailable as error:
        raise HTTPException(503, f"snapshot of event {event_id!r}: {error}") from error
    headers = {"Cache-Control": "private, no-store", "X-Kuzet-Redacted": "1" if masked else "0"}
    if event.snapshot_sha256 and not masked:
        headers["ETag"] = f'"{event.snapshot_sha256}"'
    return Response(data, media_type="image/jpeg", headers=headers)
