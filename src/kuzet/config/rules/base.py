"""Settings shared by every rule kind, and what a rule kind's model declares."""

from typing import Annotated, ClassVar

from pydantic import Field

from kuzet.config.base import KuzetModel
from kuzet.core.types import Severity

StartHour = Annotated[int, Field(ge=0, le=23)]
EndHour = Annotated[int, Field(ge=0, le=24)]


class RuleBase(KuzetModel):
    """Settings shared by every rule.

    A rule kind subclasses this in its own module of ``kuzet.config.rules`` with
    ``kind: Literal["<kind>"] = "<kind>"`` (the YAML ``kind`` that selects it) and
    ``event_kinds``, the event kinds its rules can raise.
    """

    event_kinds: ClassVar[tuple[str, ...]] = ()
    """Event kinds a rule of this kind can raise (canonical ``EventKind`` values or
    new snake_case names)."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Unique rule id within the camera.")
    enabled: bool = Field(default=True, description="Turn the rule off without deleting it.")
    severity: Severity = Field(default=Severity.ALERT, description="alert | detection | critical.")
    cooldown: float = Field(
        default=30.0, ge=0,
        description="Seconds after an event closes before the same rule may open another.",
    )
    active_hours: tuple[StartHour, EndHour] | None = Field(
        default=None,
        description=(
            "[start, end) local hours when the rule is active; [22, 6] wraps midnight, "
            "[8, 24] is 08:00 to midnight, equal hours or null = always."
        ),
    )
    # Each kind narrows this to its own Literal (kept last so field order is unchanged).
    kind: str = Field(description="Which kind of rule this is.")

    def raised_kinds(self) -> frozenset[str]:
        """Event kinds this configured rule raises (``event_kinds`` unless settings narrow it)."""
        return frozenset(self.event_kinds)
