"""Central plate matching: stores each read, checks it against the hotlists, raises hits.

:class:`HotlistService` is subscribed to the supervisor's plate-read bus in the
main process. For every :class:`~kuzet.core.sightings.PlateRead` it stores the
read and its crop, loads the entries that are active and unexpired *now*, and
publishes one ``plate_hit`` event per track decision and entry: a track's early
and final reads share a ``decision_id``, are stored as one read (the final
replaces the early) and an entry that hit it is not hit again, so a vehicle
alerts once, from its early read when that was confident, else from the
combined final read. (Reads without a decision id fall back to one hit per
camera, track and entry within ``hotlists.repeat_s`` seconds.) The event
carries the decision's number of looks.

The event's snapshot is the vehicle in its surroundings, stored with
a redacted copy (the plate blurred, ``privacy.plate_evidence``) that viewers
without an unmask grant get; a read without a scene falls back to the plate
crop, whose redacted copy is pixelated. ``attrs["snapshot"]`` says which.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from kuzet.config.hotlists import HotlistsConfig
from kuzet.core.sightings import PlateRead
from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity, new_event_id
from kuzet.events.bus import Bus
from kuzet.events.snapshot import snapshot_key
from kuzet.identity.hotlists import Hotlist, HotlistRepo
from kuzet.identity.plate_match import match_distance
from kuzet.identity.plate_reads import PlateReadRepo
from kuzet.privacy.plate_evidence import pixelate_jpeg, redacted_scene
from kuzet.privacy.redaction import Redactor
from kuzet.privacy.snapshots import redacted_key
from kuzet.store.media import Media
from kuzet.store.models import HotlistEntryRow, PlateReadRow

log = logging.getLogger(__name__)
MAX_REMEMBERED = 10_000  # (camera, track, entry) keys kept for de-duplication


def severity_for(priority: int) -> Severity:
    """Event severity of an entry priority: 1 critical, 2-3 alert, 4-5 detection."""
    if priority <= 1:
        return Severity.CRITICAL
    return Severity.ALERT if priority <= 3 else Severity.DETECTION


class HotlistService:
    """Matches plate reads against hotlists and publishes ``plate_hit`` events.

    Example:
        >>> service = HotlistService(store.engine, media, bus, config.hotlists)  # doctest: +SKIP
        >>> supervisor.plate_reads.subscribe(service)  # doctest: +SKIP
    """

    def __init__(
        self,
        engine: Engine,
        media: Media,
        bus: Bus[Event],
        config: HotlistsConfig,
        redactor: Redactor | None = None,
    ) -> None:
        self.hotlists = HotlistRepo(engine)
        self.reads = PlateReadRepo(engine, media)
        self.media = media
        self.redactor = redactor or Redactor()  # models load on the first hit
        self.bus = bus
        self.config = config
        self._alerted: OrderedDict[tuple[str, int, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, read: PlateRead) -> None:
        """Bus callback: same as :meth:`handle`."""
        self.handle(read)

    def handle(self, read: PlateRead, read_id: str | None = None) -> list[Event]:
        """Store ``read``, match it and publish its hits.

        Args:
            read: The read.
            read_id: Its id (the outbox key: a replayed read is stored once).

        Returns:
            The ``plate_hit`` events published (at most one per matching entry).
        """
        row = self.reads.add(read, read_id)
        now = datetime.now(UTC)
        events: list[Event] = []
        for entry, hotlist, distance in self.matches(row.text, now):
            if self.reads.has_hit(row.id, entry.id):
                continue  # the track's decision already hit this entry
            key = (read.camera_id, read.track_id, entry.id)
            if read.decision_id is None and not self._first_alert(key, read.wall):
                continue
            event = self._event(read, row, entry, hotlist, distance)
            self.reads.add_hit(row.id, entry.id, distance, event.id)
            self.bus.publish(event)
            self.bus.publish(_closed(event))
            events.append(event)
        return events

    def matches(
        self, text: str, now: datetime
    ) -> list[tuple[HotlistEntryRow, Hotlist, float]]:
        """Entries active at ``now`` that ``text`` hits, closest first."""
        found = []
        for entry, hotlist in self.hotlists.active_entries(now):
            if entry.status != "active" or entry.expires_at <= now:
                continue  # re-checked here: expiry is a hard rule
            distance = match_distance(
                entry.plate, text, fuzzy=self.config.fuzzy,
                confusion_cost=self.config.confusion_cost,
            )  # fmt: skip
            if distance <= self.config.max_distance:
                found.append((entry, hotlist, distance))
        return sorted(found, key=lambda hit: (hit[2], hit[0].priority))

    def _first_alert(self, key: tuple[str, int, str], wall: float) -> bool:
        with self._lock:
            last = self._alerted.get(key)
            if last is not None and abs(wall - last) < self.config.repeat_s:
                return False
            self._alerted[key] = wall
            self._alerted.move_to_end(key)
            while len(self._alerted) > MAX_REMEMBERED:
                self._alerted.popitem(last=False)
            return True

    def _event(
        self,
        read: PlateRead,
        row: PlateReadRow,
        entry: HotlistEntryRow,
        hotlist: Hotlist,
        distance: float,
    ) -> Event:
        attrs: dict[str, Any] = {
            "plate": row.text, "read_id": row.id, "confidence": round(read.confidence, 3),
            "country": read.country, "plate_format": read.plate_format, "entry_id": entry.id,
            "entry_plate": entry.plate,
            "match": entry.match, "hotlist": hotlist.name, "hotlist_reason": hotlist.reason,
            "reason": entry.reason, "priority": entry.priority, "case_ref": entry.case_ref,
            "distance": round(distance, 3), "final_read": read.final, "looks": read.looks,
            "snapshot": "scene" if read.scene is not None else "plate_crop",
        }  # fmt: skip
        event_id = new_event_id()
        return Event(
            id=event_id, camera_id=read.camera_id, kind=EventKind.PLATE_HIT,
            rule_id=f"hotlist:{hotlist.id}", phase=EventPhase.OPEN, started_at=row.at,
            severity=severity_for(entry.priority), track_ids=(read.track_id,),
            labels=(read.vehicle_class,), attrs=attrs,
            evidence=self._evidence(read, row, event_id),
            frame_ts=read.ts, frame_wall=read.wall,
        )  # fmt: skip

    def _evidence(self, read: PlateRead, row: PlateReadRow, event_id: str) -> Evidence:
        """Store the hit's snapshot, its redacted copy first (see the module doc)."""
        if read.scene is None:
            if row.crop_key is None:
                return Evidence()
            self._put_redacted(row.crop_key, lambda: pixelate_jpeg(read.crop_jpeg))
            return Evidence(row.crop_key, hashlib.sha256(read.crop_jpeg).hexdigest())
        scene = read.scene
        key = snapshot_key(read.camera_id, event_id, datetime.fromtimestamp(read.wall, UTC))
        self._put_redacted(key, lambda: redacted_scene(scene, self.redactor))
        return Evidence(key, self.media.put(key, scene.jpeg))

    def _put_redacted(self, key: str, make: Callable[[], bytes]) -> None:
        # A copy that cannot be made is not stored: the snapshot route then
        # redacts on request or answers 503, never the original.
        try:
            self.media.put(redacted_key(key), make())
        except ValueError as error:
            log.warning("plate hit %s: no redacted copy: %s", key, error)


def _closed(event: Event) -> Event:
    """The same event closed at its start: a hit is a moment, not a span."""
    return Event(
        id=event.id, camera_id=event.camera_id, kind=event.kind, rule_id=event.rule_id,
        phase=EventPhase.CLOSE, started_at=event.started_at, severity=event.severity,
        ended_at=event.started_at, track_ids=event.track_ids, labels=event.labels,
        attrs=event.attrs, evidence=event.evidence, frame_ts=event.frame_ts,
        frame_wall=event.frame_wall,
    )  # fmt: skip
