"""Standard operating procedures per incident type (``response.procedures``).

A procedure is an ordered list of steps. A ``question`` step is answered yes or
no and its answer picks the step that follows (``yes``/``no``: a step id or
``end``; omitted = the next step in the list); an ``action`` step continues with
``next`` (omitted = the next step). Steps a branch jumps over do not apply.
Checked at load: duplicate ids, unknown or self targets, cycles and steps no
path reaches are errors with their file line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from kuzet.config.base import KuzetModel
from kuzet.config.errors import Loc, LocatedValueError

END = "end"
LANGUAGES = ("kk", "ru", "en")
StepId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
Words = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class LocalText(KuzetModel):
    """The same text in the deployment's languages; at least one is given."""

    kk: Words | None = Field(default=None, description="Kazakh (ISO 639-1 `kk`).")
    ru: Words | None = Field(default=None, description="Russian.")
    en: Words | None = Field(default=None, description="English.")

    @model_validator(mode="after")
    def _some_language(self) -> LocalText:
        if not any(getattr(self, lang) for lang in LANGUAGES):
            raise ValueError("give the text in at least one of: " + ", ".join(LANGUAGES))
        return self


class LegalBasis(KuzetModel):
    """The law an operator acts on, in the deployment's own words."""

    code: LocalText = Field(description="The code or law, e.g. the administrative-offences code.")
    article: str = Field(
        min_length=1, max_length=64, description="Article (and part), e.g. `73-1` or `434 ч.1`."
    )
    text: LocalText = Field(description="What the article says, as the deployment states it.")


class ProcedureStep(KuzetModel):
    """One step of a procedure."""

    id: StepId = Field(description="Step id, unique in the procedure (not `end`).")
    text: LocalText = Field(description="What the operator does or answers.")
    kind: Literal["action", "question"] = Field(
        default="action", description="`action` (mark done) or `question` (answer yes or no)."
    )
    required: bool = Field(
        default=True,
        description="The incident cannot close while this step applies and is open "
        "(questions are always required).",
    )
    note_required: bool = Field(default=False, description="Marking it done needs a note.")
    legal: LegalBasis | None = Field(default=None, description="Legal basis shown with the step.")
    next: StepId | None = Field(
        default=None, description="Actions: the step after this one, or `end`; null = next."
    )
    yes: StepId | None = Field(
        default=None, description="Questions: the step after a yes, or `end`; null = next."
    )
    no: StepId | None = Field(
        default=None, description="Questions: the step after a no, or `end`; null = next."
    )


class Procedure(KuzetModel):
    """The procedure of one incident type; change `version` whenever the steps change.

    An incident keeps the procedure (and version) it started with; later edits
    of the config apply to new incidents only.
    """

    version: int = Field(ge=1, description="Version; incidents record the one they follow.")
    title: LocalText = Field(description="Name shown above the checklist.")
    steps: list[ProcedureStep] = Field(
        min_length=1, max_length=200, description="The steps, in order."
    )

    @model_validator(mode="after")
    def _graph_valid(self) -> Procedure:
        issues = step_issues(self.steps)
        if issues:
            raise LocatedValueError(issues)
        return self


IncidentType = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def following(steps: Sequence[ProcedureStep], index: int) -> str:
    """The id of the step after ``steps[index]`` in list order, or ``end``."""
    return steps[index + 1].id if index + 1 < len(steps) else END


def edges(steps: Sequence[ProcedureStep], index: int) -> list[tuple[str, str]]:
    """(field, target id) of every way on from ``steps[index]``; an implicit one as ``id``."""
    step = steps[index]
    found = []
    for name in ("yes", "no") if step.kind == "question" else ("next",):
        target = getattr(step, name)
        found.append((name, target) if target else ("id", following(steps, index)))
    return found


def step_issues(steps: Sequence[ProcedureStep]) -> list[tuple[Loc, str]]:
    """Every problem of a step list, located relative to the procedure."""
    issues = list(_shape_issues(steps))
    if not issues:
        issues += _cycle_issues(steps)
    if not issues:
        issues += _unreachable_issues(steps)
    return issues


def _shape_issues(steps: Sequence[ProcedureStep]) -> Iterator[tuple[Loc, str]]:
    """Duplicate ids, wrong fields for the kind, unknown or self targets."""
    ids = [s.id for s in steps]
    known = ", ".join(ids) + f"; or `{END}`"
    for i, step in enumerate(steps):
        if step.id == END or step.id in ids[:i]:
            yield ("steps", i, "id"), f"duplicate or reserved step id {step.id!r}"
        wrong = ("next",) if step.kind == "question" else ("yes", "no")
        for name in wrong:
            if getattr(step, name) is not None:
                article = "a question" if step.kind == "question" else "an action"
                yield ("steps", i, name), (
                    f"{article} step has no `{name}` (questions branch with `yes`/`no`, "
                    "actions continue with `next`)")
        if step.kind == "question" and not step.required:
            yield ("steps", i, "required"), "a question is always required"
        for name in ("next", "yes", "no"):
            target = getattr(step, name)
            if target is not None and target != END and target not in ids:
                yield ("steps", i, name), f"unknown step {target!r} (steps: {known})"
            elif target == step.id:
                yield ("steps", i, name), f"step {step.id!r} leads to itself (a cycle)"


def _cycle_issues(steps: Sequence[ProcedureStep]) -> list[tuple[Loc, str]]:
    """A way back to an earlier step on some path (a depth-first search)."""
    index = {s.id: i for i, s in enumerate(steps)}
    state: dict[int, str] = {}  # "open" while on the current path, then "done"
    issues: list[tuple[Loc, str]] = []

    def visit(i: int, path: list[str]) -> None:
        state[i] = "open"
        for name, target in edges(steps, i):
            j = index.get(target)
            if j is None:
                continue
            if state.get(j) == "open":
                loop = " -> ".join([*path[path.index(target):], steps[i].id, target])
                issues.append((("steps", i, name), f"cycle: {loop}"))
            elif j not in state:
                visit(j, [*path, steps[i].id])
        state[i] = "done"

    for start in range(len(steps)):
        if start not in state:
            visit(start, [])
    return issues


def _unreachable_issues(steps: Sequence[ProcedureStep]) -> list[tuple[Loc, str]]:
    """Steps no path from the first step reaches (they could never apply)."""
    index = {s.id: i for i, s in enumerate(steps)}
    seen, todo = {0}, [0]
    while todo:
        for _, target in edges(steps, todo.pop()):
            j = index.get(target)
            if j is not None and j not in seen:
                seen.add(j)
                todo.append(j)
    return [(("steps", i, "id"), f"step {s.id!r} can never apply: no step leads to it")
            for i, s in enumerate(steps) if i not in seen]  # fmt: skip
