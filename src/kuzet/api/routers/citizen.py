"""What operators see of a citizen report: the report behind an alarm, and its photos.

Reading needs the alarm read permissions and the alarm's camera in scope; each
view is audited (``citizen_report.view``). Photos are the re-encoded copies,
without metadata, with faces and plates blurred for viewers without an unmask
grant (fail closed); originals and their EXIF positions stay evidence.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from kuzet.api.alarm_access import Reader, load_alarm
from kuzet.api.auth import AuthFirstRoute, ScopedCameras, audit
from kuzet.api.deps import Deps
from kuzet.api.errors import JPEG, ErrorOut
from kuzet.api.unmasking import unmask_until
from kuzet.citizen.models import CitizenReportRow
from kuzet.citizen.status import operator_view
from kuzet.privacy.snapshots import RedactionUnavailable, redacted_copy

router = APIRouter(prefix="/api/citizen", route_class=AuthFirstRoute, tags=["citizen reports"])


def _report(deps: Deps, alarm_id: str, scope: ScopedCameras) -> tuple[CitizenReportRow, str]:
    """The report behind ``alarm_id`` and its alarm's camera (403/404 as for the alarm)."""
    alarm = load_alarm(deps.response, alarm_id, scope)
    row = deps.citizen.reports.of_alarm(alarm_id)
    if row is None:
        raise HTTPException(404, "this alarm is not a citizen report")
    return row, alarm.camera_id


@router.get("/alarms/{alarm_id}")
def report_of_alarm(request: Request, alarm_id: str, deps: Deps, scope: ScopedCameras,
                    user: Reader) -> dict[str, Any]:
    """The citizen report behind an alarm, with suggested cameras and their video links."""
    row, _ = _report(deps, alarm_id, scope)
    audit(request, "citizen_report.view", target=row.id, details={"alarm_id": alarm_id})
    return operator_view(deps.citizen, row)


@router.get("/alarms/{alarm_id}/photos/{index}.jpg", response_class=Response,
            responses={**JPEG, 503: {"model": ErrorOut, "description": "Blurring failed"}})
def report_photo(request: Request, alarm_id: str, index: int, deps: Deps,
                 scope: ScopedCameras, user: Reader) -> Response:
    """One photo of the report, re-encoded without metadata; faces and plates blurred
    unless the viewer holds an unmask grant (503, never the raw photo, if blurring fails)."""
    row, camera_id = _report(deps, alarm_id, scope)
    if not 0 <= index < len(row.photos):
        raise HTTPException(404, "no such photo")
    masked = unmask_until(deps, user, camera_id, alarm_id) is None
    audit(request, "citizen_report.photo.view", target=row.id,
          details={"photo": index, "redacted": masked})
    key = str(row.photos[index]["display_key"])
    try:
        data = (redacted_copy(deps.media, key, deps.redactor.redact_jpeg) if masked
                else deps.media.get(key))
    except KeyError as error:
        raise HTTPException(404, "the photo is missing") from error
    except RedactionUnavailable as error:
        raise HTTPException(503, f"citizen photo {index}: {error}") from error
    headers = {"Cache-Control": "private, no-store", "X-Kuzet-Redacted": "1" if masked else "0"}
    return Response(data, media_type="image/jpeg", headers=headers)
