"""A procedure's checklist: which steps apply, which are done, skipped or open.

The steps an incident has taken are its ``step_done`` / ``step_skip`` history
rows; the latest row of a step is its state. Walking from the first step,
each action leads to its ``next`` and each answered question to its ``yes`` or
``no`` step: the steps on that path apply. The walk stops at an unanswered
question; the steps it could still lead to are ``pending``, the rest do not
apply. A required step that applies and is open blocks closing the incident.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from kuzet.config.procedures import END, Procedure, ProcedureStep, edges, following
from kuzet.response.incidents import IncidentAction
from kuzet.response.models import IncidentHistoryRow
from kuzet.response.sop_models import IncidentProcedureRow

Applies = Literal["yes", "no", "pending"]
STEP_ACTIONS = (IncidentAction.STEP_DONE, IncidentAction.STEP_SKIP)


@dataclass(frozen=True, slots=True)
class StepMark:
    """The latest thing done to one step.

    Attributes:
        step: Step id.
        action: Done or skipped.
        answer: ``yes`` / ``no`` for a question, else None.
        text: The note (done) or the reason (skipped).
        actor: Who (username).
        at: When (UTC).
    """

    step: str
    action: IncidentAction
    answer: str | None
    text: str | None
    actor: str | None
    at: datetime


def latest_marks(history: Iterable[IncidentHistoryRow]) -> dict[str, StepMark]:
    """The latest mark of each step in an incident's history (oldest first)."""
    marks: dict[str, StepMark] = {}
    actions = {a.value for a in STEP_ACTIONS}
    for row in history:
        if row.action in actions and isinstance(row.details.get("step"), str):
            step = row.details["step"]
            marks[step] = StepMark(step, IncidentAction(row.action), row.details.get("answer"),
                                   row.text, row.actor, row.at)
    return marks


def applicability(procedure: Procedure, marks: dict[str, StepMark]) -> dict[str, Applies]:
    """``yes`` (on the path walked so far), ``pending`` (after an unanswered question) or ``no``.

    Example:
        >>> applicability(procedure, {})  # doctest: +SKIP
        {'confirm': 'yes', 'call_police': 'pending', 'log': 'pending'}
    """
    steps = procedure.steps
    index = {s.id: i for i, s in enumerate(steps)}
    on_path: list[int] = []
    at: int | None = 0
    stopped: int | None = None
    while at is not None and at not in on_path:
        on_path.append(at)
        step = steps[at]
        mark = marks.get(step.id)
        if step.kind == "question":
            done = mark is not None and mark.action is IncidentAction.STEP_DONE
            answer = mark.answer if done and mark is not None else None
            if answer not in ("yes", "no"):
                stopped = at
                break
            target = getattr(step, answer) or following(steps, at)
        else:
            target = step.next or following(steps, at)
        at = index.get(target) if target != END else None
    pending = _reachable(steps, index, stopped) if stopped is not None else set()
    path = set(on_path)
    return {s.id: "yes" if i in path else "pending" if i in pending else "no"
            for i, s in enumerate(steps)}  # fmt: skip


def _reachable(steps: Sequence[ProcedureStep], index: dict[str, int], start: int) -> set[int]:
    """Steps reachable from ``start`` by any branch (``start`` itself excluded)."""
    seen: set[int] = set()
    todo = [start]
    while todo:
        for _, target in edges(steps, todo.pop()):
            j = index.get(target)
            if j is not None and j not in seen and j != start:
                seen.add(j)
                todo.append(j)
    return seen


def open_required(procedure: Procedure, marks: dict[str, StepMark]) -> list[ProcedureStep]:
    """Required steps that apply and are neither done nor skipped, in order."""
    applies = applicability(procedure, marks)
    return [s for s in procedure.steps
            if s.required and applies[s.id] == "yes" and s.id not in marks]  # fmt: skip


def step_label(step: ProcedureStep) -> str:
    """``id (text)`` in the first language given, for error messages."""
    text = step.text.en or step.text.ru or step.text.kk or ""
    return f"{step.id} ({text[:60]})" if text else step.id


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _text(value: Any) -> dict[str, str | None]:
    return {"kk": value.kk, "ru": value.ru, "en": value.en}


def step_json(procedure: Procedure, index: int, applies: Applies,
              mark: StepMark | None) -> dict[str, Any]:
    """One checklist entry (the shape documented in docs/response.md)."""
    step = procedure.steps[index]
    question = step.kind == "question"
    legal = step.legal
    return {
        "id": step.id, "kind": step.kind, "text": _text(step.text), "required": step.required,
        "note_required": step.note_required,
        "legal": None if legal is None else {"code": _text(legal.code), "article": legal.article,
                                             "text": _text(legal.text)},
        "next": None if question else step.next or following(procedure.steps, index),
        "yes": step.yes or following(procedure.steps, index) if question else None,
        "no": step.no or following(procedure.steps, index) if question else None,
        "applies": applies,
        "status": "open" if mark is None else "done" if mark.action is IncidentAction.STEP_DONE
        else "skipped",
        "answer": mark.answer if mark else None, "note": mark.text if mark else None,
        "by": mark.actor if mark else None, "at": _iso(mark.at) if mark else None,
    }  # fmt: skip


def checklist_json(pinned: IncidentProcedureRow, procedure: Procedure,
                   marks: dict[str, StepMark]) -> dict[str, Any]:
    """The checklist of an incident: its procedure, version, steps and what blocks closing."""
    applies = applicability(procedure, marks)
    blocking = [s.id for s in open_required(procedure, marks)]
    return {
        "incident_id": pinned.incident_id, "type": pinned.type, "version": pinned.version,
        "digest": pinned.digest, "title": _text(procedure.title),
        "pinned_at": _iso(pinned.pinned_at), "pinned_by": pinned.pinned_by,
        "complete": not blocking, "open_required": blocking,
        "steps": [step_json(procedure, i, applies[s.id], marks.get(s.id))
                  for i, s in enumerate(procedure.steps)],
    }  # fmt: skip
