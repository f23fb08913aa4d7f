"""The central identity service: face probes in, pending ``face_match`` events out.

Subscribed to ``Supervisor.face_probes`` in the main process (camera workers
never hold watchlist data). A probe is a person track's face decision (its best
faces' embeddings combined; ``looks`` says how many) or its early probe (one
very good face); the track's decision is matched like any probe, and an entry an
early probe already matched for the track is not matched again. For each probe:

1. match against every matchable entry (:class:`~kuzet.identity.matching.Matcher`);
2. for each entry hit not yet reported for this (camera, track, entry): store the
   probe crop, log the match (``face_matches``) and publish a ``face_match`` event
   with severity ``detection`` and ``status: pending``;
3. a probe that matches nothing is dropped (no crop, no embedding) unless
   ``identity.retain_unmatched`` is on, which keeps it as a face sighting.

When two different verifiers confirm a match (:meth:`IdentityService.decide`) the
event is updated to severity ``alert`` (``critical`` for a *wanted* list).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from kuzet.config.identity import IdentityConfig
from kuzet.core.sightings import FaceProbe
from kuzet.core.types import Event, EventKind, EventPhase, Severity, new_event_id
from kuzet.events.bus import Bus
from kuzet.identity.confirmation import Decision, MatchRecord, MatchRepo, MatchStatus
from kuzet.identity.enrol import Enroller
from kuzet.identity.matching import Hit, Matcher
from kuzet.identity.models import FaceMatchRow
from kuzet.identity.sightings import SightingRepo
from kuzet.identity.watchlists import WatchlistKind, WatchlistRepo, new_id
from kuzet.store.media import Media

log = logging.getLogger(__name__)
SEEN_TTL_S = 3600.0  # forget a (camera, track, entry) key after this long without probes


def probe_key(camera_id: str, at: datetime, match_id: str) -> str:
    """Media key of a match's probe crop."""
    return f"matches/{camera_id}/{at:%Y/%m/%d}/{match_id}.jpg"


def match_event(row: FaceMatchRow, phase: EventPhase, wall: float) -> Event:
    """The ``face_match`` event of a match in its current status."""
    severity = Severity.DETECTION
    if row.status == MatchStatus.CONFIRMED:
        wanted = row.watchlist_kind == WatchlistKind.WANTED
        severity = Severity.CRITICAL if wanted else Severity.ALERT
    attrs = {"match_id": row.id, "watchlist": row.watchlist_name,
             "watchlist_kind": row.watchlist_kind, "entry_name": row.entry_name,
             "score": round(row.score, 4), "status": row.status, "looks": row.looks}
    return Event(id=row.event_id, camera_id=row.camera_id, kind=EventKind.FACE_MATCH,
                 rule_id=f"watchlist:{row.watchlist_id}", phase=phase,
                 started_at=row.matched_at, severity=severity, track_ids=(row.track_id,),
                 labels=("person",), attrs=attrs, frame_ts=row.frame_ts, frame_wall=wall)


def _match_id(probe_id: str, entry_id: str) -> str:
    """The id of the match of one probe with one entry (the same on every replay)."""
    return hashlib.sha256(f"face-match:{probe_id}:{entry_id}".encode()).hexdigest()[:32]


class IdentityService:
    """Matching, the match log and confirmation; one per process that serves the API.

    Example:
        >>> service = IdentityService(engine, media, bus, IdentityConfig())  # doctest: +SKIP
        >>> unsubscribe = supervisor.face_probes.subscribe(service)  # doctest: +SKIP
    """

    def __init__(self, engine: Engine, media: Media, bus: Bus[Event],
                 config: IdentityConfig | None = None, enroller: Enroller | None = None) -> None:
        """Build the repositories and load the index from the database."""
        self.config = config or IdentityConfig()
        self.media = media
        self.bus = bus
        self.watchlists = WatchlistRepo(engine)
        self.matches = MatchRepo(engine)
        self.sightings = SightingRepo(engine, media)
        self.matcher = Matcher(self.watchlists, self.config.search_k)
        self.enroller = enroller or Enroller(self.config)
        self._seen: dict[tuple[str, int, str], float] = {}
        self._lock = threading.Lock()
        self.dropped = 0
        self.matcher.rebuild()

    def __call__(self, probe: FaceProbe) -> None:
        """Handle one probe (the bus subscriber)."""
        self.handle(probe)

    def handle(self, probe: FaceProbe, probe_id: str | None = None) -> list[FaceMatchRow]:
        """Match one probe; returns the new matches (at most one per track and entry).

        Args:
            probe: The probe.
            probe_id: Its id (the outbox key). A probe handled again with the same
                id (replayed after an outage or a crash) stores no second sighting
                and no second match: the sighting's id is ``probe_id`` and each
                match's id is derived from it; an existing match's event is
                published again (events are upserted by id).
        """
        hits = self.matcher.match(probe.embedding)
        if self.config.retain_unmatched:
            self.sightings.add(probe, self.config.retain_days, probe_id)
        elif not hits:
            self.dropped += 1
        found = []
        for hit in hits:
            key = (probe.camera_id, int(probe.track_id), hit.entry.id)
            if self._seen_recently(key):
                continue
            found.append(self._record(probe, hit, probe_id))
            self._mark_seen(key)  # only once stored: a failed write is retried whole
        return found

    def _seen_recently(self, key: tuple[str, int, str]) -> bool:
        """Whether (camera, track, entry) matched within ``SEEN_TTL_S``."""
        now = time.monotonic()
        with self._lock:
            self._seen = {k: t for k, t in self._seen.items() if now - t < SEEN_TTL_S}
            return key in self._seen

    def _mark_seen(self, key: tuple[str, int, str]) -> None:
        with self._lock:
            self._seen[key] = time.monotonic()

    def _record(self, probe: FaceProbe, hit: Hit, probe_id: str | None) -> FaceMatchRow:
        at = datetime.fromtimestamp(probe.wall, UTC)
        match_id = new_id() if probe_id is None else _match_id(probe_id, hit.entry.id)
        if probe_id is not None and (stored := self.matches.find(match_id)) is not None:
            self.bus.publish(match_event(stored, EventPhase.OPEN, probe.wall))
            return stored
        key = probe_key(probe.camera_id, at, match_id)
        digest = self.media.put(key, probe.crop_jpeg)
        row = FaceMatchRow(
            id=match_id, event_id=new_event_id(), camera_id=probe.camera_id,
            track_id=int(probe.track_id), watchlist_id=hit.watchlist.id,
            watchlist_name=hit.watchlist.name, watchlist_kind=hit.watchlist.kind,
            entry_id=hit.entry.id, entry_name=hit.entry.name, photo_id=hit.photo_id,
            score=float(hit.distance), threshold=float(hit.watchlist.threshold),
            quality=float(probe.quality), probe_key=key, probe_sha256=digest,
            status=MatchStatus.PENDING.value, matched_at=at, frame_ts=float(probe.ts),
            decided_at=None, looks=int(probe.looks),
        )
        self.matches.add(row)
        log.info("face match %s: camera %s track %d ~ %s (%s), distance %.3f", match_id,
                 probe.camera_id, probe.track_id, hit.entry.name, hit.watchlist.name,
                 hit.distance)
        self.bus.publish(match_event(row, EventPhase.OPEN, probe.wall))
        return row

    def decide(self, match_id: str, user_id: str, username: str, decision: Decision,
               reason: str | None = None) -> MatchRecord:
        """Record a verifier's decision; publishes the event update when the status changes.

        Raises:
            NotFoundError: Unknown match.
            ConflictError: Already decided, or a second confirmation by the same user.
        """
        record = self.matches.decide(match_id, user_id, username, decision, reason)
        row = record.match
        if row.status != MatchStatus.PENDING:
            event = match_event(row, EventPhase.UPDATE, row.matched_at.timestamp())
            if row.status == MatchStatus.REJECTED:
                event = replace(event, phase=EventPhase.CLOSE, ended_at=row.decided_at)
            self.bus.publish(event)
        return record

    def lists_changed(self) -> None:
        """Pick up a new or changed list threshold."""
        self.matcher.refresh_thresholds()

    def entry_changed(self, entry_id: str) -> None:
        """Update the index after enrolment, suspension, resumption or an expiry change."""
        self.matcher.refresh_entry(entry_id)
