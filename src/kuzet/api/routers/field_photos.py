"""Photos from the field as evidence: upload (checked, decoded, re-encoded), list, view.

A photo is taken for an alarm dispatched to the caller's unit (or one they own, or
any alarm for a supervisor) and is linked to that alarm's incident. The upload is
refused, and nothing stored, when its declared type is not an image type (415), it
is over the byte limit (413), or it is not an image that decodes within the pixel
and time limits (422); every refusal names the form field ``photo``. An accepted
photo is decoded and re-encoded as JPEG (which drops EXIF metadata, the phone's
GPS tags among them), stored in the media store under ``field/<camera>/<date>/``,
recorded with the SHA-256 of both the upload and the stored file, audited as
``evidence.field_photo`` and added to the incident's timeline (``photo``).
Viewing one is audited (``evidence.view``) and blurred like snapshots unless the
viewer holds an unmask grant; if blurring fails the answer is 503, never the raw image.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from kuzet.api.alarm_access import Reader, load_alarm, load_incident
from kuzet.api.auth import AuthFirstRoute, ScopedCameras, audit
from kuzet.api.deps import AppDeps, Deps, MediaDep
from kuzet.api.errors import JPEG, TOO_LARGE, ErrorOut, Responses
from kuzet.api.routers.field import FieldCaller, field_actor, photo_json
from kuzet.api.unmasking import unmask_until
from kuzet.core.types import Image
from kuzet.privacy.principal import Permission, Principal
from kuzet.privacy.snapshots import RedactionUnavailable, redacted_copy
from kuzet.render.decode import ImageLimits, ImageRejected, ImageTooLarge, decode_image
from kuzet.response.errors import NotFoundError
from kuzet.response.field import NewPhoto
from kuzet.response.field_models import DutyRow
from kuzet.response.incidents import IncidentAction, Note
from kuzet.response.models import AlarmRow
from kuzet.store.media import Media

router = APIRouter(route_class=AuthFirstRoute, tags=["field"])
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/bmp"})
PHOTO_LIMITS = ImageLimits(max_bytes=10 * 1024 * 1024, max_pixels=50_000_000, max_side=4096)
DECODE_SECONDS = 15.0
JPEG_QUALITY = 90
REFUSED: Responses = {
    **TOO_LARGE,
    415: {"model": ErrorOut, "description": "The photo's content type is not an image type"},
}


def photo_error(status: int, message: str) -> HTTPException:
    """An error naming the form field ``photo`` (FastAPI's validation shape)."""
    return HTTPException(status, [{"loc": ["body", "photo"], "msg": message,
                                   "type": "value_error"}])


def _may_attach(row: AlarmRow, user: Principal, duty: DutyRow | None) -> bool:
    supervisor = user.can(Permission.SUPERVISE_ALARMS)
    mine = row.owner_id is not None and row.owner_id == user.user_id
    return supervisor or mine or (duty is not None and row.unit == duty.unit)


def _encode(data: bytes) -> tuple[bytes, Image]:
    """Decode within :data:`PHOTO_LIMITS` and re-encode as JPEG (runs in a worker thread)."""
    import cv2

    image = decode_image(data, PHOTO_LIMITS)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ImageRejected("the photo could not be re-encoded as JPEG")
    return encoded.tobytes(), image


async def _checked(photo: UploadFile) -> tuple[bytes, bytes, Image]:
    """(upload bytes, stored JPEG, decoded image), or the 4xx naming ``photo``."""
    declared = (photo.content_type or "").split(";")[0].strip().lower()
    if declared not in IMAGE_TYPES:
        raise photo_error(415, f"photo: content type {declared or 'none'!r} is not one of "
                               f"{', '.join(sorted(IMAGE_TYPES))}")
    data = await photo.read(PHOTO_LIMITS.max_bytes + 1)
    if len(data) > PHOTO_LIMITS.max_bytes:
        raise photo_error(413, f"photo is larger than {PHOTO_LIMITS.max_bytes // 1_048_576} MiB")
    try:
        jpeg, image = await asyncio.wait_for(run_in_threadpool(_encode, data), DECODE_SECONDS)
    except ImageTooLarge as error:
        raise photo_error(413 if error.in_bytes else 422, f"photo: {error}") from error
    except ImageRejected as error:
        raise photo_error(422, f"photo: {error}") from error
    except TimeoutError as error:
        raise photo_error(422, f"photo took longer than {DECODE_SECONDS:g} s to decode") from error
    return data, jpeg, image


@router.post("/api/field/alarms/{alarm_id}/photos", status_code=201, responses=REFUSED)
async def upload_photo(alarm_id: str, caller: FieldCaller,
                       photo: Annotated[UploadFile, File(description="JPEG, PNG, WebP or BMP.")],
                       note: Annotated[str | None, Form(max_length=2000)] = None,
                       ) -> dict[str, Any]:
    """Attach a photo from the phone to an alarm (and its incident) as evidence."""
    request, deps, user = caller.request, caller.deps, caller.user
    row = load_alarm(deps.response, alarm_id, caller.scope)
    duty = deps.field.duty_of(user.user_id)
    if not _may_attach(row, user, duty):
        raise HTTPException(403, f"alarm {alarm_id} is not dispatched to your unit, nor yours")
    data, jpeg, image = await _checked(photo)
    new = NewPhoto(row, jpeg, hashlib.sha256(data).hexdigest(), str(photo.content_type),
                   int(image.shape[1]), int(image.shape[0]),
                   duty.unit if duty is not None else None, note or None, user.username)
    stored = await run_in_threadpool(_store, deps, deps.media, new)
    details = {"photo": stored["id"], "sha256": stored["sha256"], "bytes": len(data),
               "upload_sha256": new.upload_sha256, "upload_type": new.upload_type,
               "incident_id": row.incident_id, "unit": new.unit}
    audit(request, "evidence.field_photo", camera_id=row.camera_id, target=row.id,
          details=details)
    if row.incident_id is not None:
        deps.response.desk.add_notes(
            row.incident_id,
            [Note(IncidentAction.PHOTO, note or None, row.id, row.camera_id,
                  {"photo": stored["id"], "sha256": stored["sha256"]})],
            field_actor(request, user, duty))
    return stored


def _store(deps: AppDeps, media: Media, new: NewPhoto) -> dict[str, Any]:
    """Write the JPEG, then its row (a failed write leaves no row behind)."""
    at = deps.field.clock()
    key = f"field/{new.alarm.camera_id}/{at:%Y/%m/%d}/{uuid.uuid4().hex}.jpg"
    digest = media.put(key, new.jpeg)
    return photo_json(deps.field.add_photo(new, key, digest))


@router.get("/api/incidents/{incident_id}/photos")
def incident_photos(incident_id: str, deps: Deps, scope: ScopedCameras,
                    _user: Reader) -> dict[str, Any]:
    """The field photos of an incident (of alarms in the caller's scope), oldest first."""
    load_incident(deps.response, incident_id, scope)
    rows = deps.field.photos(incident_id=incident_id)
    return {"items": [photo_json(p) for p in rows if scope.allows(p.camera_id)]}


@router.get("/api/field/photos/{photo_id}.jpg", response_class=Response,
            responses={**JPEG, 503: {"model": ErrorOut, "description": "Blurring failed"}})
def get_photo(photo_id: str, request: Request, deps: Deps, media: MediaDep,
              scope: ScopedCameras, user: Reader) -> Response:
    """A field photo; blurred unless the viewer holds an unmask grant; every view audited."""
    try:
        row = deps.field.photo(photo_id)
    except NotFoundError as error:
        raise HTTPException(404, f"no field photo {photo_id!r}") from error
    scope.check(row.camera_id)
    masked = unmask_until(deps, user, row.camera_id, row.alarm_id) is None
    audit(request, "evidence.view", camera_id=row.camera_id, target=row.alarm_id,
          details={"field_photo": row.id, "redacted": masked})
    try:
        data = (redacted_copy(media, row.media_key, deps.redactor.redact_jpeg) if masked
                else media.get(row.media_key))
    except (KeyError, ValueError) as error:
        raise HTTPException(404, f"field photo {photo_id!r} is missing") from error
    except RedactionUnavailable as error:
        raise HTTPException(503, f"field photo {photo_id!r}: {error}") from error
    headers = {"Cache-Control": "private, no-store", "X-Kuzet-Redacted": "1" if masked else "0"}
    return Response(data, media_type="image/jpeg", headers=headers)
