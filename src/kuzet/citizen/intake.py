"""The citizen report desk: check a submission, store it, open its alarm; status look-ups.

Nothing is written until every check passed: rate limits, fields, the proof of
work, every photo, duplicates. Then the photos (original as evidence, re-encoded
copy for display), the report row, the ``citizen_report`` event and its alarm are
written; a failure half-way removes what was written.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.engine import Engine

from kuzet.citizen.errors import Reason, Rejected
from kuzet.citizen.geo import CameraPlace, Nearby, distance_m, nearby
from kuzet.citizen.limits import Limiter
from kuzet.citizen.models import CitizenReportRow
from kuzet.citizen.photos import CleanPhoto, clean_photo
from kuzet.citizen.pow import Challenge, ProofOfWork
from kuzet.citizen.repo import RejectionCounter, ReportRepo
from kuzet.config.citizen import CitizenConfig
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.response.service import ResponseService
from kuzet.store.events import EventRepo
from kuzet.store.media import Media

REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
NO_CAMERA = "citizen"
RULE_ID = "citizen_report"
FUTURE_SLACK = timedelta(minutes=5)
LocationSource = Literal["map", "device", "text"]


@dataclass(frozen=True, slots=True)
class Submission:
    """A report as the citizen sent it (already parsed; photos still raw bytes)."""

    category: str
    description: str
    occurred_at: datetime
    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    location_source: LocationSource = "map"
    photos: Sequence[bytes] = ()
    contact: str | None = None
    device_token: str | None = None
    challenge: str | None = None
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the citizen gets back: the reference and the secret of the status page."""

    ref: str
    token: str
    received_at: datetime


@dataclass
class DeskParts:
    """What :class:`CitizenDesk` works on (built by the composition root)."""

    engine: Engine
    media: Media
    response: ResponseService
    events: EventRepo
    config: CitizenConfig
    cameras: Sequence[CameraPlace] = ()
    clock: Callable[[], datetime] | None = None
    recorded: Callable[[str, datetime], bool] | None = None  # camera has video at a time
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))


def new_ref() -> str:
    """A fresh reference, e.g. ``KZ-7K4Q2M9D`` (32^8 possibilities)."""
    return "KZ-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(8))


def token_digest(token: str) -> str:
    """What is stored of a status token."""
    return hashlib.sha256(token.encode()).hexdigest()


class CitizenDesk:
    """Takes citizen reports into the alarm queue.

    Example:
        >>> desk = CitizenDesk(DeskParts(engine, media, response, events, config))  # doctest: +SKIP
        >>> receipt = desk.submit(submission, ip="203.0.113.5")  # doctest: +SKIP
    """

    def __init__(self, parts: DeskParts) -> None:
        self.parts = parts
        self.config = parts.config
        self.clock = parts.clock or parts.response.clock
        self.reports = ReportRepo(parts.engine)
        self.rejections = RejectionCounter(parts.engine, self.clock)
        key = parts.config.secret.encode() if parts.config.secret else parts.secret
        self._key = key
        self.pow = ProofOfWork(key, parts.config.pow_bits, parts.config.challenge_ttl_s)
        self.per_ip = Limiter(parts.config.per_ip)
        self.per_device = Limiter(parts.config.per_device)
        self.challenges = Limiter(parts.config.challenges_per_ip)
        self.lookups = Limiter(parts.config.status_per_ip)
        self._write_lock = threading.Lock()
        self.accepted = 0

    def refuse(self, reason: Reason, message: str) -> Rejected:
        """Count a refusal and return it (to raise)."""
        self.rejections.count(reason)
        return Rejected(reason, message)

    def admit(self, ip: str) -> None:
        """Charge the address's bucket before the body is even read.

        Raises:
            Rejected: Too many reports from this address (``rate_ip``).
        """
        if not self.per_ip.allow(ip, self.clock().timestamp()):
            raise self.refuse(Reason.RATE_IP, "too many reports from your connection; "
                                              "wait a few minutes and try again")

    def challenge(self, ip: str) -> Challenge:
        """A proof-of-work challenge for the form.

        Raises:
            Rejected: Too many challenges from this address (``rate_ip``).
        """
        now = self.clock().timestamp()
        if not self.challenges.allow(ip, now):
            raise self.refuse(Reason.RATE_IP, "too many requests; wait a few minutes")
        return self.pow.issue(now)

    def submit(self, sub: Submission) -> Receipt:
        """Check and store a report (call :meth:`admit` first).

        Raises:
            Rejected: The first check that failed; nothing was stored.
        """
        try:
            self._check_fields(sub)
            self._check_device(sub.device_token)
            self.pow.check(sub.challenge, sub.nonce, self.clock().timestamp())
            photos = [self._photo(data) for data in sub.photos]
        except Rejected as rejected:
            self.rejections.count(rejected.reason)
            raise
        with self._write_lock:
            if self._duplicate(sub):
                raise self.refuse(Reason.DUPLICATE, "this was reported already at this place and "
                                                    "time; thank you")
            return self._store(sub, photos)

    def _check_fields(self, sub: Submission) -> None:
        cfg, now = self.config, self.clock()
        problems = []
        if cfg.category(sub.category) is None:
            problems.append(f"unknown category {sub.category!r}")
        if (sub.lat is None) != (sub.lon is None):
            problems.append("give both lat and lon, or neither")
        if sub.lat is None and not (sub.place or "").strip():
            problems.append("say where: a position on the map or a place description")
        if not sub.description.strip() or len(sub.description) > cfg.max_description:
            problems.append(f"the description needs 1 to {cfg.max_description} characters")
        if not now - timedelta(seconds=cfg.max_age_s) <= sub.occurred_at <= now + FUTURE_SLACK:
            problems.append("the time must be within the last "
                            f"{int(cfg.max_age_s // 86400) or 1} days and not in the future")
        if len(sub.photos) > cfg.max_photos:
            problems.append(f"at most {cfg.max_photos} photos")
        if problems:
            raise Rejected(Reason.MALFORMED, "; ".join(problems))

    def _check_device(self, token: str | None) -> None:
        if token and not self.per_device.allow(self._device_digest(token),
                                               self.clock().timestamp()):
            raise Rejected(Reason.RATE_DEVICE, "too many reports from this device; "
                                               "wait a few minutes and try again")

    def _device_digest(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    def _photo(self, data: bytes) -> CleanPhoto:
        cfg = self.config
        return clean_photo(data, cfg.max_photo_bytes, cfg.max_photo_pixels, cfg.display_max_side)

    def _duplicate(self, sub: Submission) -> bool:
        cfg = self.config
        if cfg.duplicate_window_s <= 0:
            return False
        window = timedelta(seconds=cfg.duplicate_window_s)
        for row in self.reports.around(sub.category, sub.occurred_at, window):
            if sub.lat is not None and sub.lon is not None and row.lat is not None \
                    and row.lon is not None:
                if distance_m(sub.lat, sub.lon, row.lat, row.lon) <= cfg.duplicate_radius_m:
                    return True
            elif sub.lat is None and row.lat is None and _same_text(sub.place, row.place):
                return True
        return False

    def suggest(self, sub: Submission) -> list[Nearby]:
        """Cameras near the reported place (none without a position)."""
        if sub.lat is None or sub.lon is None:
            return []
        cfg = self.config
        return nearby(self.parts.cameras, sub.lat, sub.lon, cfg.camera_radius_m, cfg.max_cameras)

    def _store(self, sub: Submission, photos: list[CleanPhoto]) -> Receipt:
        ref, token, now = new_ref(), secrets.token_urlsafe(24), self.clock()
        cameras = self.suggest(sub)
        written: list[str] = []
        try:
            stored = [self._put_photos(ref, i, p, written) for i, p in enumerate(photos)]
            row = self._row(sub, ref, token, now, stored, cameras)
            self.reports.add(row)
            written.append("row")
            event = self._event(sub, row, cameras)
            self.parts.events.upsert(event)
            self.parts.response.open_alarm(event)
        except BaseException:
            self._undo(ref, written)
            raise
        self.accepted += 1
        return Receipt(ref, token, now)

    def _put_photos(self, ref: str, index: int, photo: CleanPhoto,
                    written: list[str]) -> dict[str, Any]:
        base = f"citizen/{ref}/{index}"
        original_key = f"{base}-original.{photo.original_type}"
        display_key = f"{base}.jpg"
        media = self.parts.media
        written.append(original_key)
        original_sha = media.put(original_key, photo.original)
        written.append(display_key)
        display_sha = media.put(display_key, photo.display)
        return {"display_key": display_key, "display_sha256": display_sha,
                "original_key": original_key, "original_sha256": original_sha,
                "original_type": photo.original_type, "exif_gps": photo.gps,
                "width": photo.width, "height": photo.height}

    def _undo(self, ref: str, written: list[str]) -> None:
        for key in written:
            if key == "row":
                self.reports.remove(ref)
            else:
                self.parts.media.delete(key)

    def _row(self, sub: Submission, ref: str, token: str, now: datetime,
             photos: list[dict[str, Any]], cameras: list[Nearby]) -> CitizenReportRow:
        return CitizenReportRow(
            id=ref, status_sha256=token_digest(token), alarm_id=f"cr-{ref.lower()}",
            category=sub.category, lat=sub.lat, lon=sub.lon,
            place=(sub.place or "").strip() or None,
            location_source=sub.location_source if sub.lat is not None else "text",
            occurred_at=sub.occurred_at, received_at=now, description=sub.description.strip(),
            contact=(sub.contact or "").strip() or None,
            device_sha256=self._device_digest(sub.device_token) if sub.device_token else None,
            photos=photos, cameras=[self._camera_json(c, sub.occurred_at) for c in cameras])

    def _camera_json(self, cam: Nearby, at: datetime) -> dict[str, Any]:
        recorded = self.parts.recorded(cam.camera_id, at) if self.parts.recorded else None
        return {"camera_id": cam.camera_id, "name": cam.name, "distance_m": cam.distance_m,
                "recorded": recorded}

    def _event(self, sub: Submission, row: CitizenReportRow,
               cameras: list[Nearby]) -> Event:
        """The alarm's facts: no contact, description or photos (those stay in the report)."""
        attrs = {"report_ref": row.id, "category": row.category, "lat": row.lat,
                 "lon": row.lon, "photos": len(row.photos),
                 "cameras": [c["camera_id"] for c in row.cameras]}
        return Event(id=row.alarm_id, camera_id=cameras[0].camera_id if cameras else NO_CAMERA,
                     kind=EventKind.CITIZEN_REPORT, rule_id=RULE_ID, phase=EventPhase.CLOSE,
                     started_at=sub.occurred_at, ended_at=sub.occurred_at,
                     severity=Severity.ALERT, labels=(row.category,), attrs=attrs)


def _same_text(a: str | None, b: str | None) -> bool:
    def norm(text: str | None) -> str:
        return " ".join((text or "").lower().split())

    return bool(norm(a)) and norm(a) == norm(b)
