"""Standard operating procedures on incidents: pin, checklist, step done/skipped, close check.

When an incident starts (by hand, by correlation or by a split) and
``response.procedures`` has a procedure for its type, a copy of that procedure
is pinned to it with its version; later config changes never touch it. Each
step taken is an incident history row (``step_done`` / ``step_skip``), an audit
record (``incident.step_done`` ...) and a live update. Skipping needs a reason
and leaves a supervisor notice. See ``docs/response.md``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kuzet.config.procedures import Procedure, ProcedureStep
from kuzet.privacy.audit import canonical_json
from kuzet.response.actor import Actor
from kuzet.response.alarms import StaleError
from kuzet.response.errors import ConflictError, InvalidError, NotFoundError
from kuzet.response.incidents import IncidentAction, IncidentState, Note
from kuzet.response.models import IncidentRow
from kuzet.response.notices import STEP_SKIPPED, NoticeRepo
from kuzet.response.procedures import (
    StepMark,
    applicability,
    checklist_json,
    latest_marks,
    open_required,
    step_label,
)
from kuzet.response.sop_models import IncidentProcedureRow, NoticeRow

if TYPE_CHECKING:
    from kuzet.response.service import ResponseService

ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class StepRequest:
    """What a user does to a step.

    Attributes:
        action: ``done`` or ``skip``.
        answer: ``yes`` / ``no``: required for a question, refused for an action.
        text: The note (``done``; required when the step says so) or the reason
            (``skip``; always required).
    """

    action: Literal["done", "skip"]
    answer: Literal["yes", "no"] | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Pinned:
    """An incident's pinned procedure: the row and its definition."""

    row: IncidentProcedureRow
    procedure: Procedure


def digest_of(procedure: Procedure) -> str:
    """SHA-256 of the procedure's canonical JSON (tells two texts of one version apart)."""
    return hashlib.sha256(canonical_json(procedure.model_dump(mode="json"))).hexdigest()


class ProcedureDesk:
    """Procedures of incidents, on top of a :class:`ResponseService`."""

    def __init__(self, service: ResponseService, engine: Engine) -> None:
        self.service = service
        self.notices = NoticeRepo(engine)
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def pin(self, incident: IncidentRow, actor: Actor) -> Pinned | None:
        """Pin the configured procedure of the incident's type (None: it has none)."""
        procedure = self.service.config.procedures.get(incident.type)
        if procedure is None:
            return None
        row = IncidentProcedureRow(
            incident_id=incident.id, type=incident.type, version=procedure.version,
            digest=digest_of(procedure), definition=procedure.model_dump(mode="json"),
            pinned_at=self.service.clock(), pinned_by=actor.username)  # fmt: skip
        try:
            with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            return self.pinned(incident.id)  # pinned already (a retry): keep the first
        details = {"type": row.type, "version": row.version, "digest": row.digest}
        self.service.desk.add_notes(incident.id, [Note(IncidentAction.PROCEDURE, None,
                                                       details=details)], actor)
        return Pinned(row, procedure)

    def pinned(self, incident_id: str) -> Pinned | None:
        """The incident's pinned procedure, or None."""
        with self._sessions() as session:
            row = session.get(IncidentProcedureRow, incident_id)
        return None if row is None else Pinned(row, Procedure.model_validate(row.definition))

    def marks(self, incident_id: str) -> dict[str, StepMark]:
        """The latest mark of every step taken on the incident."""
        return latest_marks(self.service.incidents.history(incident_id))

    def checklist(self, incident_id: str) -> dict[str, Any] | None:
        """The incident's checklist as JSON (see docs/response.md), or None."""
        pinned = self.pinned(incident_id)
        if pinned is None:
            return None
        return checklist_json(pinned.row, pinned.procedure, self.marks(incident_id))

    def retype(self, incident: IncidentRow, actor: Actor) -> None:
        """After a type change: follow the new type's procedure while no step was taken."""
        pinned = self.pinned(incident.id)
        if pinned is not None and (pinned.row.type == incident.type or self.marks(incident.id)):
            return  # steps were taken: the incident keeps the procedure it followed
        if pinned is not None:
            with self._sessions.begin() as session:
                session.execute(sa.delete(IncidentProcedureRow)
                                .where(IncidentProcedureRow.incident_id == incident.id))
        self.pin(incident, actor)

    def check_close(self, incident_id: str) -> None:
        """Refuse to close while a required step that applies is open.

        Raises:
            ConflictError: The message names the open steps.
        """
        pinned = self.pinned(incident_id)
        if pinned is None:
            return
        blocking = open_required(pinned.procedure, self.marks(incident_id))
        if blocking:
            raise ConflictError(
                f"incident {incident_id} cannot close: procedure {pinned.row.type} "
                f"v{pinned.row.version} has open required steps: "
                + "; ".join(step_label(s) for s in blocking)
                + ". Do them, or skip them with a reason")

    def act(self, incident_id: str, step_id: str, request: StepRequest,
            actor: Actor) -> dict[str, Any]:
        """Mark a step done (with its answer or note) or skipped (with a reason).

        Returns:
            The checklist after the change.

        Raises:
            NotFoundError: The incident follows no procedure, or has no such step.
            ConflictError: The incident is not open, or the step does not apply.
            InvalidError: A missing answer, note or reason, or a question skipped.
        """
        pinned = self.pinned(incident_id)
        if pinned is None:
            raise NotFoundError(f"incident {incident_id} follows no procedure")
        step = _step(pinned, step_id)
        note = _note(pinned, step, request)
        for _ in range(ATTEMPTS):
            seen = self.service.incidents.get(incident_id)
            if seen.state != IncidentState.OPEN.value:
                raise ConflictError(f"incident {incident_id} is {seen.state}")
            _check_applies(pinned, step, self.marks(incident_id))
            try:
                row = self.service.incidents.update(seen, {}, [note], actor,
                                                    self.service.clock(),
                                                    self.service.desk.staged([note]))
            except StaleError:
                continue
            self.service.desk.audit_note(row, note, actor)
            if request.action == "skip":
                self._notify_skip(row, step, note, actor)
            return checklist_json(pinned.row, pinned.procedure, self.marks(incident_id))
        raise ConflictError(f"incident {incident_id} is changing too fast; try again")

    def acknowledge_notice(self, notice_id: int, actor: Actor) -> NoticeRow:
        """Mark a supervisor notice seen (audited as ``notice.acknowledge``).

        Raises:
            NotFoundError: Unknown notice.
            ConflictError: Acknowledged already.
        """
        row = self.notices.acknowledge(notice_id, actor, self.service.clock())
        self.service.audit.record("notice.acknowledge", actor=actor.username, ip=actor.ip,
                                  target=str(notice_id),
                                  details={"incident_id": row.incident_id, "kind": row.kind})
        return row

    def _notify_skip(self, incident: IncidentRow, step: ProcedureStep, note: Note,
                     actor: Actor) -> None:
        """The supervisors' notice of a skipped step."""
        details = {**note.details, "label": step_label(step), "required": step.required}
        self.notices.add(STEP_SKIPPED, incident.id, note.text or "", details, actor,
                         self.service.clock())


def _step(pinned: Pinned, step_id: str) -> ProcedureStep:
    for step in pinned.procedure.steps:
        if step.id == step_id:
            return step
    ids = ", ".join(s.id for s in pinned.procedure.steps)
    raise NotFoundError(f"procedure {pinned.row.type} v{pinned.row.version} has no step "
                        f"{step_id!r} (steps: {ids})")


def _note(pinned: Pinned, step: ProcedureStep, request: StepRequest) -> Note:
    """The history row of a step request, once its details are checked."""
    text = (request.text or "").strip() or None
    question = step.kind == "question"
    if request.action == "skip":
        if question:
            raise InvalidError(f"step {step.id} is a question: answer it yes or no; it "
                               "cannot be skipped")
        if text is None:
            raise InvalidError(f"skipping step {step.id} needs a reason")
    elif question and request.answer not in ("yes", "no"):
        raise InvalidError(f"step {step.id} is a question: answer it yes or no")
    elif not question and request.answer is not None:
        raise InvalidError(f"step {step.id} is not a question: it takes no answer")
    elif step.note_required and text is None:
        raise InvalidError(f"step {step.id} needs a note")
    action = IncidentAction.STEP_SKIP if request.action == "skip" else IncidentAction.STEP_DONE
    details = {"step": step.id, "answer": request.answer if question else None,
               "procedure": pinned.row.type, "version": pinned.row.version}
    return Note(action, text, details=details)


def _check_applies(pinned: Pinned, step: ProcedureStep, marks: dict[str, StepMark]) -> None:
    applies = applicability(pinned.procedure, marks)[step.id]
    if applies == "pending":
        raise ConflictError(f"step {step.id} waits for an earlier question to be answered")
    if applies == "no":
        raise ConflictError(f"step {step.id} does not apply: the answers given lead past it")
