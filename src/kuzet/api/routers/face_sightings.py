"""Face sightings found by face search: their crop, and the event they belong to.

A sighting's crop *is* a face, so it is served as plate crops are
(``routers.plates.read_crop``): pixelated (``X-Kuzet-Redacted: 1``) unless the
caller holds ``unmask`` and an active grant covering the camera; when
pixelation fails the answer is 503, never the crop. Every view is audited as
``evidence.view``. Search results link to the event of the sighting's track
(the event on the same camera whose tracks include it, around the time seen).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, Response

from kuzet.api.auth import AuthFirstRoute, ScopedCameras, audit, require
from kuzet.api.deps import Deps
from kuzet.api.templating import iso_utc
from kuzet.api.unmasking import unmask_until
from kuzet.identity.models import FaceSightingRow
from kuzet.privacy.plate_evidence import pixelate_jpeg
from kuzet.privacy.principal import Permission, Principal
from kuzet.privacy.snapshots import RedactionUnavailable, redacted_copy
from kuzet.store.events import EventQuery

router = APIRouter(route_class=AuthFirstRoute, tags=["matches"])
Searcher = Annotated[Principal, require(Permission.SEARCH)]
EVENT_BEFORE = timedelta(minutes=30)  # an event may start well before the face is seen
EVENT_AFTER = timedelta(seconds=5)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def sighting_event_id(deps: Deps, row: FaceSightingRow) -> str | None:
    """The event of the sighting's track: same camera, its track among the event's, seen
    between the event's start and end (None when no event was raised for it)."""
    seen = _aware(row.seen_at)
    query = EventQuery(cameras=[row.camera_id], since=seen - EVENT_BEFORE,
                       until=seen + EVENT_AFTER, limit=200)
    for event in deps.store.events.list(query).items:
        ended = None if event.ended_at is None else _aware(event.ended_at)
        if row.track_id in event.track_ids and (ended is None or ended + EVENT_AFTER >= seen):
            return event.id
    return None


def sighting_json(deps: Deps, row: FaceSightingRow, distance: float) -> dict[str, Any]:
    """One search result: where and when, how close, its crop and its event."""
    event_id = sighting_event_id(deps, row)
    return {"id": row.id, "camera_id": row.camera_id, "track_id": row.track_id,
            "seen_at": iso_utc(row.seen_at), "distance": round(distance, 4),
            "quality": row.quality, "crop_url": f"/api/faces/sightings/{row.id}/crop.jpg",
            "event_id": event_id,
            "event_url": None if event_id is None else f"/events/{event_id}"}  # fmt: skip


@router.get(
    "/api/faces/sightings/{sighting_id}/crop.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "A JPEG image"},
               503: {"description": "The crop could not be pixelated, so it is not shown"}},
)
def sighting_crop(request: Request, sighting_id: str, deps: Deps, scope: ScopedCameras,
                  user: Searcher) -> Response:
    """The face crop of a retained sighting (pixelated without an unmask grant; audited)."""
    row = deps.identity.sightings.get(sighting_id)
    if row is None:
        raise HTTPException(404, f"unknown face sighting {sighting_id!r}")
    scope.check(row.camera_id)
    if row.crop_key is None:
        raise HTTPException(404, f"face sighting {sighting_id!r} has no crop")
    masked = unmask_until(deps, user, row.camera_id) is None
    audit(request, "evidence.view", camera_id=row.camera_id, target=f"face_sighting:{row.id}",
          details={"redacted": masked})
    try:
        data = (redacted_copy(deps.media, row.crop_key, pixelate_jpeg) if masked
                else deps.media.get(row.crop_key))
    except KeyError as error:
        raise HTTPException(404, f"face sighting {sighting_id!r} has no crop") from error
    except RedactionUnavailable as error:
        raise HTTPException(503, f"face crop of sighting {sighting_id!r}: {error}") from error
    headers = {"Cache-Control": "private, no-store", "X-Kuzet-Redacted": "1" if masked else "0"}
    return Response(data, media_type="image/jpeg", headers=headers)
