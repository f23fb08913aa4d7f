"""Alarm handling (``kuzet.response``): priorities, time limits, correlation into incidents."""

from enum import StrEnum

from pydantic import Field

from kuzet.config.base import KuzetModel
from kuzet.config.feedback import FeedbackConfig
from kuzet.config.procedures import IncidentType, Procedure
from kuzet.config.sectors import SectorConfig
from kuzet.core.types import EventKind


class Priority(StrEnum):
    """How urgent an alarm or incident is; ``critical`` first in every queue."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Sort key: 0 for critical ... 3 for low (queues sort ascending)."""
        return _RANKS[self]


_RANKS = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}


class PriorityRule(KuzetModel):
    """The priority of the alarms of one rule (optionally on one camera only)."""

    rule: str = Field(
        min_length=1,
        description="An event's `rule_id`: a camera rule's `id`, `watchlist:<id>` or "
        "`hotlist:<id>`.",
    )
    camera: str | None = Field(default=None, description="Only this camera; null = any camera.")
    priority: Priority = Field(description="low | medium | high | critical.")


class TimeLimits(KuzetModel):
    """Seconds allowed per priority (fields in the subclasses); null = no limit."""

    def for_priority(self, priority: Priority) -> float | None:
        """The limit of ``priority`` in seconds, or None."""
        limit: float | None = getattr(self, priority.value)
        return limit


class AcknowledgeLimits(TimeLimits):
    """Seconds from an alarm's opening to its acknowledgement; null = no limit."""

    critical: float | None = Field(default=60.0, gt=0, description="Critical alarms.")
    high: float | None = Field(default=180.0, gt=0, description="High-priority alarms.")
    medium: float | None = Field(default=600.0, gt=0, description="Medium-priority alarms.")
    low: float | None = Field(default=1800.0, gt=0, description="Low-priority alarms.")


class ResolveLimits(TimeLimits):
    """Seconds from an alarm's opening to its resolution; null = no limit."""

    critical: float | None = Field(default=1800.0, gt=0, description="Critical alarms.")
    high: float | None = Field(default=3600.0, gt=0, description="High-priority alarms.")
    medium: float | None = Field(default=14400.0, gt=0, description="Medium-priority alarms.")
    low: float | None = Field(default=86400.0, gt=0, description="Low-priority alarms.")


class CorrelationRule(KuzetModel):
    """Alarms of a camera group within a time window join one open incident.

    A new alarm joins the newest open incident that has an alarm of the group no
    older than `window` seconds; otherwise, if another such alarm is not yet in
    an incident, both start a new incident of type `incident_type`.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Rule name (shown in incidents).")
    cameras: list[str] = Field(
        default_factory=list,
        description="The camera group (e.g. every camera of one venue); empty = alarms of "
        "the same camera only.",
    )
    kinds: list[EventKind] = Field(
        default_factory=list, description="Event kinds that correlate; empty = every kind."
    )
    window: float = Field(
        default=300.0, gt=0, le=86400, description="Seconds between alarms of one incident."
    )
    incident_type: str | None = Field(
        default=None, max_length=64, description="Type of the incidents it opens; null = `name`."
    )


class ResponseConfig(KuzetModel):
    """Alarms: one per event of severity `alert` or `critical`, handled by operators.

    Priority of an alarm: the first matching entry of `rules`, else `critical` for
    a critical event, else `kinds`, else the built-in default of its event kind.
    """

    enabled: bool = Field(default=True, description="Open alarms for alert-grade events.")
    kinds: dict[EventKind, Priority] = Field(
        default_factory=dict, description="Priority per event kind (overrides the defaults)."
    )
    rules: list[PriorityRule] = Field(
        default_factory=list, description="Priority per rule; the first match wins."
    )
    acknowledge_within: AcknowledgeLimits = Field(
        default_factory=AcknowledgeLimits,
        description="Time to acknowledge; a new alarm still unacknowledged after it is "
        "marked breached, becomes `skipped` and goes to the supervisors' queue.",
    )
    resolve_within: ResolveLimits = Field(
        default_factory=ResolveLimits,
        description="Time to resolve; an alarm still open after it is marked breached.",
    )
    escalate_every: float = Field(
        default=5.0, ge=0.1, le=3600,
        description="Seconds between time-limit checks (and re-routing of ended shifts).",
    )
    correlation: list[CorrelationRule] = Field(
        default_factory=list, description="Rules that group alarms into incidents."
    )
    feedback: FeedbackConfig = Field(
        default_factory=FeedbackConfig,
        description="Precision of rules from verdicts (floor, flag) and the shift report.",
    )
    procedures: dict[IncidentType, Procedure] = Field(
        default_factory=dict,
        description="Standard operating procedure per incident type (docs/response.md).",
    )
    sectors: dict[str, SectorConfig] = Field(
        default_factory=dict,
        description="Routing sectors by id: an alarm goes to the operators on shift in its "
        "camera's sector; with none on shift, to the supervisors' queue; when a shift ends, "
        "its waiting alarms go to the next shift or the supervisors. An incident takes the "
        "sector of most of its alarms. Empty = no routing.",
    )
