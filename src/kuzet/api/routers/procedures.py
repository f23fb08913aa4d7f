"""An incident's procedure: its checklist, and steps marked done or skipped.

The checklist's JSON shape is documented in docs/response.md ("Procedures").
Reading needs ``view_events`` or ``view_audit``; marking steps needs
``handle_events``. Every step is audited by the service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.alarm_access import Handler, Reader, actor_of, http_errors, load_incident
from kuzet.api.auth import AuthFirstRoute, ScopedCameras
from kuzet.api.deps import Deps
from kuzet.api.errors import ErrorOut, Responses, unprocessable
from kuzet.response.errors import InvalidError
from kuzet.response.sop import StepRequest

router = APIRouter(prefix="/api/incidents", route_class=AuthFirstRoute, tags=["incidents"])
STEP_CONFLICT: Responses = {
    409: {"model": ErrorOut, "description": "The incident is not open, or the step does not "
                                            "apply (yet) given the answers so far"},
}


class StepDoneIn(BaseModel):
    """A step done: the answer of a question, and a note (required where the step says so)."""

    model_config = ConfigDict(extra="forbid")
    answer: Literal["yes", "no"] | None = Field(None, description="Questions only: yes or no.")
    note: str | None = Field(None, max_length=4000, description="What was done, or seen.")


class StepSkipIn(BaseModel):
    """A step skipped: why (the supervisors are notified)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=4000, description="Why it was not done.")


@dataclass(frozen=True, slots=True)
class StepRef:
    """The incident and the step a route acts on (its path parameters)."""

    incident_id: str
    step_id: str

    @classmethod
    def of(cls, incident_id: Annotated[str, Path(description="Incident id.")],
           step_id: Annotated[str, Path(description="Step id.")]) -> StepRef:
        """From the path."""
        return cls(incident_id, step_id)


Step = Annotated[StepRef, Depends(StepRef.of)]


@contextmanager
def step_errors() -> Iterator[None]:
    """Service errors as HTTP errors; a 422 in the validation shape the spec documents."""
    try:
        with http_errors():
            yield
    except HTTPException as error:
        if error.status_code == 422 and isinstance(error.__cause__, InvalidError):
            raise unprocessable(str(error.__cause__)) from error
        raise


@router.get("/{incident_id}/procedure")
def get_procedure(incident_id: str, deps: Deps, scope: ScopedCameras,
                  _user: Reader) -> dict[str, Any]:
    """The incident's checklist: procedure type and version, steps, what blocks closing.

    404 when the incident follows no procedure.
    """
    load_incident(deps.response, incident_id, scope)
    checklist = deps.response.sop.checklist(incident_id)
    if checklist is None:
        raise HTTPException(404, f"incident {incident_id} follows no procedure")
    return checklist


def _mark(request: Request, deps: Deps, scope: ScopedCameras, ref: StepRef,
          step: StepRequest, user: Handler) -> dict[str, Any]:
    load_incident(deps.response, ref.incident_id, scope)
    with step_errors():
        return deps.response.sop.act(ref.incident_id, ref.step_id, step, actor_of(request, user))


@router.post("/{incident_id}/procedure/steps/{step_id}/done", responses=STEP_CONFLICT)
def step_done(ref: Step, body: StepDoneIn, request: Request, deps: Deps, scope: ScopedCameras,
              user: Handler) -> dict[str, Any]:
    """Mark a step done (a question with its answer); returns the checklist.

    Doing a step again replaces its answer or note (both stay in the timeline).
    """
    return _mark(request, deps, scope, ref, StepRequest("done", body.answer, body.note), user)


@router.post("/{incident_id}/procedure/steps/{step_id}/skip", responses=STEP_CONFLICT)
def step_skip(ref: Step, body: StepSkipIn, request: Request, deps: Deps, scope: ScopedCameras,
              user: Handler) -> dict[str, Any]:
    """Skip a step with a reason; the supervisors get a notice. Returns the checklist."""
    return _mark(request, deps, scope, ref, StepRequest("skip", None, body.reason), user)
