"""What the citizen's status page shows (no personal data) and what the operator sees."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from kuzet.citizen.intake import CitizenDesk, token_digest
from kuzet.citizen.models import CitizenReportRow
from kuzet.response.errors import NotFoundError
from kuzet.response.models import AlarmRow

IN_PROGRESS = {"acknowledged", "dispatched", "on_scene", "on_hold"}
OUTCOMES = {
    "confirmed": "Confirmed: the police acted on it.",
    "false_alarm": "Checked: nothing was found.",
    "duplicate": "Handled together with another report of the same thing.",
    "no_action": "Checked: no action was needed.",
    "referred": "Passed on to the service responsible.",
}


@dataclass(frozen=True, slots=True)
class PublicStatus:
    """The status page: reference, category, state and outcome; nothing about anyone.

    Attributes:
        ref: The reference number.
        category: The category's label.
        received_on: UTC date the report came in (no time of day).
        state: ``received``, ``in_progress`` or ``closed``.
        outcome: For closed reports, what came of it (a fixed sentence per verdict).
        updated_on: UTC date of the last change.
    """

    ref: str
    category: str
    received_on: str
    state: str
    outcome: str | None
    updated_on: str

    def to_json(self) -> dict[str, Any]:
        """As JSON."""
        return {"ref": self.ref, "category": self.category, "received_on": self.received_on,
                "state": self.state, "outcome": self.outcome, "updated_on": self.updated_on}


def public_state(alarm: AlarmRow | None) -> tuple[str, str | None]:
    """(state, outcome sentence) of a report whose alarm is ``alarm``."""
    if alarm is None or alarm.state in {"new", "skipped"}:
        return "received", None
    if alarm.state in IN_PROGRESS:
        return "in_progress", None
    return "closed", OUTCOMES.get(alarm.verdict or "", "Closed.")


def _alarm(desk: CitizenDesk, row: CitizenReportRow) -> AlarmRow | None:
    try:
        return desk.parts.response.alarms.get(row.alarm_id)
    except NotFoundError:
        return None


def status(desk: CitizenDesk, ref: str, token: str) -> PublicStatus | None:
    """The public status of ``ref``; None when unknown or the token is wrong (alike)."""
    row = desk.reports.get(ref.strip().upper())
    if row is None or not hmac.compare_digest(row.status_sha256, token_digest(token)):
        return None
    alarm = _alarm(desk, row)
    state, outcome = public_state(alarm)
    category = desk.config.category(row.category)
    updated: datetime = alarm.updated_at if alarm is not None else row.received_at
    return PublicStatus(row.id, category.label if category else row.category,
                        row.received_at.date().isoformat(), state, outcome,
                        updated.date().isoformat())


def operator_view(desk: CitizenDesk, row: CitizenReportRow) -> dict[str, Any]:
    """Everything the operator needs: the report, photo links, cameras and their video links.

    EXIF positions and originals stay out (they are evidence, in the record only).
    """
    category = desk.config.category(row.category)
    at = row.occurred_at.isoformat()
    photos = [f"/api/citizen/alarms/{row.alarm_id}/photos/{i}.jpg"
              for i in range(len(row.photos))]
    cameras = [c | {"recording_url": f"/cameras/{quote(c['camera_id'], safe='')}/recordings"
                                     f"?at={quote(at, safe='')}"}
               for c in row.cameras]
    return {
        "ref": row.id, "alarm_id": row.alarm_id, "category": row.category,
        "category_label": category.label if category else row.category,
        "lat": row.lat, "lon": row.lon, "place": row.place,
        "location_source": row.location_source, "occurred_at": at,
        "received_at": row.received_at.isoformat(), "description": row.description,
        "contact": row.contact, "photos": photos, "cameras": cameras,
    }  # fmt: skip
