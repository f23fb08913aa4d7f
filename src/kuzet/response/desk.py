"""Incidents: create by hand, link (merge) and unlink (split) alarms, merge incidents,
comment, close, and correlation of new alarms. Every step is a history row of the
incident (and, for links, of the alarm), an audit record and a live update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from kuzet.config.response import CorrelationRule, Priority
from kuzet.response.actor import Actor
from kuzet.response.alarms import Change, StaleError
from kuzet.response.correlation import Decision, applies, decide, group_of
from kuzet.response.errors import ConflictError, InvalidError
from kuzet.response.incidents import IncidentAction, IncidentState, NewIncident, Note, Written
from kuzet.response.models import AlarmRow, IncidentRow
from kuzet.response.states import Action, AlarmState
from kuzet.response.views import ResponseUpdate, incident_json, timeline_json

if TYPE_CHECKING:
    from kuzet.response.service import ResponseService

ATTEMPTS = 5
EDITABLE = frozenset({"type", "priority", "description", "location", "lat", "lon", "owner"})


@dataclass(frozen=True, slots=True)
class Split:
    """The result of a split: the incident, and the new one the alarms went to (if any)."""

    incident: IncidentRow
    new: IncidentRow | None


class IncidentDesk:
    """Incident operations on top of a :class:`ResponseService`."""

    def __init__(self, service: ResponseService) -> None:
        self.service = service
        self.repo = service.incidents

    def create(self, new: NewIncident, actor: Actor,
               alarm_ids: Sequence[str] = ()) -> IncidentRow:
        """Open an incident (by hand or by correlation) and link ``alarm_ids`` to it."""
        if not new.type.strip():
            raise InvalidError("an incident needs a type")
        note = Note(IncidentAction.CREATE, new.description or None,
                    details={"type": new.type, "priority": new.priority.value,
                             "source": new.source, "rule": new.rule})
        row = self.repo.create(new, actor, self.service.clock(), self.staged([note]))
        self._audit(row, note, actor)
        self.service.sop.pin(row, actor)
        return self.link(row.id, alarm_ids, actor) if alarm_ids else row

    def link(self, incident_id: str, alarm_ids: Sequence[str], actor: Actor,
             reason: str | None = None) -> IncidentRow:
        """Link alarms to an open incident (an alarm in another incident moves here).

        Raises:
            NotFoundError: Unknown incident or alarm.
            ConflictError: The incident is not open.
        """
        incident = self._open(incident_id)
        notes = []
        for alarm_id in alarm_ids:
            alarm = self._relink(alarm_id, incident.id, actor, reason)
            if alarm is not None:
                notes.append(Note(IncidentAction.LINK, reason, alarm.id, alarm.camera_id))
        return self._refresh(incident.id, notes, actor)

    def split(self, incident_id: str, alarm_ids: Sequence[str], actor: Actor,
              new_incident: bool = False) -> Split:
        """Unlink alarms from an incident; with ``new_incident`` they start a new one.

        Raises:
            InvalidError: An alarm is not in this incident, or nothing is left to split.
        """
        incident = self._open(incident_id)
        mine = {a.id for a in self.service.alarms.of_incident(incident.id)}
        strays = sorted(set(alarm_ids) - mine)
        if strays or not alarm_ids:
            raise InvalidError(f"alarms {strays or '[]'} are not in incident {incident_id}")
        new = None
        if new_incident:
            new = self.create(NewIncident(incident.type, Priority(incident.priority),
                                          f"split from incident {incident.id}",
                                          incident.location, incident.lat, incident.lon),
                              actor)
        notes = []
        for alarm_id in alarm_ids:
            alarm = self._relink(alarm_id, new.id if new else None, actor, "split")
            if alarm is not None:
                notes.append(Note(IncidentAction.UNLINK, None, alarm.id, alarm.camera_id,
                                  {"to": new.id if new else None}))
        incident = self._refresh(incident.id, notes, actor)
        return Split(incident, self._refresh(new.id, [], actor) if new else None)

    def merge(self, target_id: str, other_id: str, actor: Actor) -> IncidentRow:
        """Move every alarm of ``other_id`` into ``target_id`` and mark the other merged.

        Raises:
            ConflictError: Either incident is not open, or they are the same.
        """
        if target_id == other_id:
            raise ConflictError("an incident cannot be merged into itself")
        target, other = self._open(target_id), self._open(other_id)
        moved = [a.id for a in self.service.alarms.of_incident(other.id)]
        self.link(target.id, moved, actor, f"merged from incident {other.id}")
        self._refresh(other.id, [Note(IncidentAction.MERGE, None, details={"into": target.id})],
                      actor, {"state": IncidentState.MERGED.value, "merged_into": target.id,
                              "closed_at": self.service.clock()})
        priority = min(Priority(target.priority), Priority(other.priority), key=_rank)
        note = Note(IncidentAction.MERGE, None, details={"from": other.id, "alarms": moved})
        return self._refresh(target.id, [note], actor, {"priority": priority.value})

    def comment(self, incident_id: str, text: str, actor: Actor) -> IncidentRow:
        """Add a comment to the incident's timeline."""
        if not text.strip():
            raise InvalidError("comment needs text")
        self.repo.get(incident_id)
        return self._refresh(incident_id, [Note(IncidentAction.COMMENT, text)], actor)

    def edit(self, incident_id: str, values: dict[str, Any], actor: Actor) -> IncidentRow:
        """Change type, priority, description, location, coordinates or owner."""
        unknown = set(values) - EDITABLE
        if unknown:
            raise InvalidError(f"cannot edit {sorted(unknown)}; editable: {sorted(EDITABLE)}")
        before = self._open(incident_id)
        note = Note(IncidentAction.UPDATE, None, details=dict(values))
        row = self._refresh(incident_id, [note], actor, dict(values))
        if row.type != before.type:
            self.service.sop.retype(row, actor)
        return row

    def close(self, incident_id: str, reason: str, actor: Actor) -> IncidentRow:
        """Close an incident whose alarms are all resolved.

        Raises:
            ConflictError: It is not open, or some of its alarms are not resolved.
        """
        note = Note(IncidentAction.CLOSE, reason)
        for _ in range(ATTEMPTS):
            # The checks and the write are one compare-and-set on the version read
            # *before* them: a step marked, an alarm linked or anything else written
            # meanwhile bumps the version, the write matches no row, and the checks
            # run again on what the other writer left (never closed on a stale check).
            seen = self._open(incident_id)
            self.service.sop.check_close(seen.id)
            unresolved = [a.id for a in self.service.alarms.of_incident(seen.id)
                          if a.state != AlarmState.RESOLVED.value]
            if unresolved:
                raise ConflictError(f"incident {incident_id} still has unresolved alarms: "
                                    + ", ".join(unresolved))
            values = {"state": IncidentState.CLOSED.value, "closed_at": self.service.clock()}
            try:
                return self._write(seen, [note], actor, values)
            except StaleError:
                continue
        raise ConflictError(f"incident {incident_id} is changing too fast; try again")

    def add_notes(self, incident_id: str, notes: Sequence[Note], actor: Actor) -> IncidentRow:
        """Add history rows to an incident (audited and published, like every change)."""
        return self._refresh(incident_id, notes, actor)

    def audit_note(self, row: IncidentRow, note: Note, actor: Actor) -> None:
        """Audit and publish a history row another module wrote (procedure steps)."""
        self._audit(row, note, actor)

    def timeline(self, incident_id: str) -> list[dict[str, Any]]:
        """Everything that happened to the incident and its alarms, oldest first."""
        alarm_ids = [a.id for a in self.service.alarms.of_incident(incident_id)]
        return timeline_json(self.repo.history(incident_id),
                             self.service.alarms.history(alarm_ids) if alarm_ids else [])

    def correlate(self, alarm: AlarmRow) -> Decision:
        """Apply the first correlation rule that covers a new alarm."""
        config = self.service.config
        with self.service.correlation_lock:
            for rule in config.correlation:
                if not applies(rule, alarm.camera_id, alarm.kind):
                    continue
                decision = self._decide(rule, alarm)
                if decision.join is not None:
                    self.link(decision.join, [alarm.id], Actor.system(), f"rule {rule.name}")
                elif decision.start_with:
                    self._start(decision, alarm)
                if decision.rule is not None:
                    return decision
        return Decision()

    def _decide(self, rule: CorrelationRule, alarm: AlarmRow) -> Decision:
        since = alarm.opened_at - timedelta(seconds=rule.window)
        kinds = [str(k) for k in rule.kinds]
        recent = self.service.alarms.recent_in(group_of(rule, alarm.camera_id), kinds, since)
        incidents = {a.incident_id for a in recent if a.incident_id is not None}
        return decide(rule, alarm, recent, self.repo.open_ids(sorted(incidents)))

    def _start(self, decision: Decision, alarm: AlarmRow) -> IncidentRow:
        rule = decision.rule
        if rule is None:
            raise ValueError("a decision to start an incident names its rule")
        members = [*decision.start_with, alarm]
        priority = min((Priority(a.priority) for a in members), key=_rank)
        new = NewIncident(rule.incident_type or rule.name, priority,
                          f"opened by correlation rule {rule.name}", source="correlation",
                          rule=rule.name)
        ids = [a.id for a in sorted(members, key=lambda a: (a.opened_at, a.id))]
        return self.create(new, Actor.system(), ids)

    def _open(self, incident_id: str) -> IncidentRow:
        row = self.repo.get(incident_id)
        if row.state != IncidentState.OPEN.value:
            raise ConflictError(f"incident {incident_id} is {row.state}"
                                + (f" into {row.merged_into}" if row.merged_into else ""))
        return row

    def _relink(self, alarm_id: str, incident_id: str | None, actor: Actor,
                reason: str | None) -> AlarmRow | None:
        """Point an alarm at an incident (None: no incident); None if already there."""
        for _ in range(ATTEMPTS):
            alarm = self.service.alarms.get(alarm_id)
            if alarm.incident_id == incident_id:
                return None
            previous = alarm.incident_id
            action = Action.LINK if incident_id else Action.UNLINK
            change = Change(action, AlarmState(alarm.state), {"incident_id": incident_id},
                            reason, {"incident_id": incident_id, "previous": previous})
            after = self.service.write(alarm, change, actor)
            if after is not None:
                if previous is not None and incident_id is not None:
                    note = Note(IncidentAction.UNLINK, reason, alarm.id, alarm.camera_id,
                                {"to": incident_id})
                    self._refresh(previous, [note], actor)
                return after
        raise ConflictError(f"alarm {alarm_id} is changing too fast; try again")

    def _refresh(self, incident_id: str, notes: Sequence[Note], actor: Actor,
                 values: dict[str, Any] | None = None) -> IncidentRow:
        """Recompute cameras and last alarm time, write ``values`` and ``notes``."""
        for _ in range(ATTEMPTS):
            try:
                return self._write(self.repo.get(incident_id), notes, actor, values)
            except StaleError:
                continue
        raise ConflictError(f"incident {incident_id} is changing too fast; try again")

    def _write(self, seen: IncidentRow, notes: Sequence[Note], actor: Actor,
               values: dict[str, Any] | None = None) -> IncidentRow:
        """One compare-and-set of the incident at ``seen.version`` (see :meth:`_refresh`).

        Raises:
            StaleError: It changed since ``seen`` was read; nothing was written.
        """
        alarms = self.service.alarms.of_incident(seen.id)
        fresh: dict[str, Any] = {
            "cameras": sorted({a.camera_id for a in alarms}),
            "sector": self.sector_of(alarms),
            "last_alarm_at": max((a.opened_at for a in alarms), default=None),
            **(values or {}),
        }
        row = self.repo.update(seen, fresh, notes, actor, self.service.clock(),
                               self.staged(notes))
        for note in notes:
            self._audit(row, note, actor)
        return row

    def staged(self, notes: Sequence[Note]) -> Written:
        """The outbox entries of ``notes``, written in the incident's own transaction."""

        def stage(conn: Connection, row: IncidentRow) -> None:
            for note in notes:
                self.service.outbox(conn, incident_update(row, note))

        return stage

    def sector_of(self, alarms: Sequence[AlarmRow]) -> str | None:
        """The incident's sector: that of most of its alarms' cameras (ties: the earliest).

        Sectors come from ``response.sectors`` through the routing; an alarm of a
        camera in no sector counts for none. None without a sectored alarm.
        """
        votes: dict[str, tuple[int, datetime]] = {}
        for alarm in alarms:
            sector = self.service.routing.sector_of(alarm.camera_id)
            if sector is not None:
                count, first = votes.get(sector, (0, alarm.opened_at))
                votes[sector] = (count + 1, min(first, alarm.opened_at))
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1][0], kv[1][1], kv[0]))
        return ranked[0][0] if ranked else None

    def _audit(self, row: IncidentRow, note: Note, actor: Actor) -> None:
        details = {"text": note.text, "alarm_id": note.alarm_id, **note.details}
        self.service.audit.record(f"incident.{note.action.value}", actor=actor.username,
                                  ip=actor.ip, camera_id=note.camera_id, target=row.id,
                                  details=details)
        self.service.updates.publish(incident_update(row, note))


def incident_update(row: IncidentRow, note: Note) -> ResponseUpdate:
    """The :class:`ResponseUpdate` of one incident change."""
    return ResponseUpdate("incident", row.id, note.action.value, tuple(row.cameras),
                          incident_json(row))


def _rank(priority: Priority) -> int:
    return priority.rank
