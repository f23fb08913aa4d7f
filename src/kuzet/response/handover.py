"""The shift handover report: what the next shift must know about the last one.

For a span (a shift, ``[since, until)``): the incidents open now, the alarms opened
in the span by kind, state and verdict, the incidents opened and closed in it,
each operator's workload (alarms they acted on, acknowledged and resolved, their
median time to acknowledge) and the notes operators wrote in it. A report for
one operator (``operator=``) keeps only their own workload row; everything else
is limited to the viewer's cameras.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.config.response import Priority
from kuzet.response.actor import Actor
from kuzet.response.feedback_models import HandoverNoteRow
from kuzet.response.incidents import IncidentState, in_scope
from kuzet.response.models import AlarmHistoryRow, AlarmRow, IncidentRow
from kuzet.response.service import ResponseService
from kuzet.response.states import Action, AlarmState

MAX_NOTE = 8000
HANDLING = frozenset(a.value for a in (Action.ACKNOWLEDGE, Action.DISPATCH, Action.ON_SCENE,
                                        Action.HOLD, Action.RESUME, Action.RESOLVE,
                                        Action.COMMENT, Action.ASSIGN, Action.ESCALATE))
A, H, INC = AlarmRow, AlarmHistoryRow, IncidentRow


@dataclass(frozen=True, slots=True)
class ShiftQuery:
    """Whose handover, over which span.

    Attributes:
        since: Start of the shift (UTC).
        until: End of the shift (UTC).
        cameras: Cameras the viewer sees; None = every camera.
        operator: Only this user's workload (user id); None = every operator.
    """

    since: datetime
    until: datetime
    cameras: Sequence[str] | None = None
    operator: str | None = None

    def __post_init__(self) -> None:
        if self.until <= self.since:
            raise ValueError(f"until ({self.until.isoformat()}) must be after since "
                             f"({self.since.isoformat()})")


@dataclass(frozen=True, slots=True)
class Workload:
    """One operator's share of the shift.

    Attributes:
        operator: Username.
        handled: Distinct alarms they acted on (acknowledge, dispatch, resolve, comment ...).
        acknowledged: Alarms they acknowledged in the span.
        resolved: Alarms they resolved in the span.
        false_alarms: Of those, resolved as false alarms.
        median_ack_s: Median seconds from an alarm's opening to their acknowledgement.
    """

    operator: str
    handled: int
    acknowledged: int
    resolved: int
    false_alarms: int
    median_ack_s: float | None


@dataclass(frozen=True, slots=True)
class HandoverReport:
    """Everything of one shift (times UTC; pages show them in the site's zone)."""

    query: ShiftQuery
    generated_at: datetime
    open_incidents: list[IncidentRow] = field(default_factory=list)
    alarms: int = 0
    alarms_open: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    by_verdict: dict[str, int] = field(default_factory=dict)
    incidents_opened: int = 0
    incidents_closed: int = 0
    workload: list[Workload] = field(default_factory=list)
    notes: list[HandoverNoteRow] = field(default_factory=list)


def _counts(values: Sequence[str | None]) -> dict[str, int]:
    return dict(Counter(v for v in values if v is not None).most_common())


class HandoverDesk:
    """Builds handover reports and stores handover notes (each note audited).

    Example:
        >>> desk = HandoverDesk(store.engine, service)  # doctest: +SKIP
        >>> report = desk.report(ShiftQuery(since, until))  # doctest: +SKIP
    """

    def __init__(self, engine: Engine, service: ResponseService) -> None:
        self.service = service
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def write_note(self, text: str, actor: Actor) -> HandoverNoteRow:
        """Store a note for the next shift and audit it as ``handover.note``.

        Raises:
            ValueError: Empty text, longer than 8000 characters, or no author.
        """
        text = text.strip()
        if not text or len(text) > MAX_NOTE or actor.username is None:
            raise ValueError(f"a handover note needs an author and 1..{MAX_NOTE} characters")
        row = HandoverNoteRow(author=actor.username, author_id=actor.user_id,
                              written_at=self.service.clock(), text=text)
        with self._sessions.begin() as session:
            session.add(row)
        self.service.audit.record("handover.note", actor=actor.username, ip=actor.ip,
                                  target=str(row.id), details={"text": text})
        return row

    def notes(self, since: datetime, until: datetime) -> list[HandoverNoteRow]:
        """Notes written in ``[since, until]``, oldest first."""
        n = HandoverNoteRow
        stmt = (sa.select(n).where(n.written_at >= since, n.written_at <= until)
                .order_by(n.written_at, n.id))
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def report(self, query: ShiftQuery) -> HandoverReport:
        """The handover report of ``query``."""
        with self._sessions() as session:
            alarms = self._alarms(session, query)
            incidents = self._incidents(session, query)
            workload = self._workload(session, query)
        open_incidents, opened, closed = incidents
        return HandoverReport(
            query=query, generated_at=self.service.clock(), open_incidents=open_incidents,
            alarms=len(alarms),
            alarms_open=sum(1 for a in alarms if a[1] != AlarmState.RESOLVED.value),
            by_kind=_counts([a[0] for a in alarms]), by_state=_counts([a[1] for a in alarms]),
            by_verdict=_counts([a[2] for a in alarms]), incidents_opened=opened,
            incidents_closed=closed, workload=workload,
            notes=self.notes(query.since, query.until),
        )  # fmt: skip

    @staticmethod
    def _alarms(session: Session, q: ShiftQuery) -> list[tuple[str, str, str | None]]:
        stmt = sa.select(A.kind, A.state, A.verdict).where(A.opened_at >= q.since,
                                                           A.opened_at < q.until)
        if q.cameras is not None:
            stmt = stmt.where(A.camera_id.in_(list(q.cameras)))
        return [(r[0], r[1], r[2]) for r in session.execute(stmt)]

    @staticmethod
    def _incidents(session: Session, q: ShiftQuery) -> tuple[list[IncidentRow], int, int]:
        scope = in_scope(q.cameras) if q.cameras is not None else sa.true()
        open_now = sa.select(IncidentRow).where(INC.state == IncidentState.OPEN.value, scope)
        opened = sa.select(sa.func.count()).select_from(INC).where(
            INC.opened_at >= q.since, INC.opened_at < q.until, scope)
        closed = sa.select(sa.func.count()).select_from(INC).where(
            INC.state == IncidentState.CLOSED.value, INC.closed_at >= q.since,
            INC.closed_at < q.until, scope)
        rows = sorted(session.scalars(open_now),
                      key=lambda r: (Priority(r.priority).rank, r.opened_at, r.id))
        return (rows, int(session.scalar(opened) or 0),
                int(session.scalar(closed) or 0))

    @staticmethod
    def _workload(session: Session, q: ShiftQuery) -> list[Workload]:
        stmt = (sa.select(H.actor, H.action, H.alarm_id, H.at, H.details, A.opened_at)
                .join(A, A.id == H.alarm_id)
                .where(H.at >= q.since, H.at < q.until, H.actor.is_not(None),
                       H.action.in_(sorted(HANDLING))))
        if q.cameras is not None:
            stmt = stmt.where(A.camera_id.in_(list(q.cameras)))
        if q.operator is not None:
            stmt = stmt.where(H.actor_id == q.operator)
        rows: dict[str, list[HistoryFacts]] = defaultdict(list)
        for actor, action, alarm_id, at, details, opened_at in session.execute(stmt):
            rows[str(actor)].append(HistoryFacts(action, alarm_id, at, details, opened_at))
        return [_workload_of(name, rows[name]) for name in sorted(rows)]


@dataclass(frozen=True, slots=True)
class HistoryFacts:
    """One thing an operator did to an alarm, with the alarm's opening time."""

    action: str
    alarm_id: str
    at: datetime
    details: dict[str, object]
    opened_at: datetime


def _workload_of(name: str, rows: Sequence[HistoryFacts]) -> Workload:
    acks = [r for r in rows if r.action == Action.ACKNOWLEDGE.value]
    resolved = [r for r in rows if r.action == Action.RESOLVE.value]
    waits = [(r.at - r.opened_at).total_seconds() for r in acks]
    return Workload(
        operator=name, handled=len({r.alarm_id for r in rows}), acknowledged=len(acks),
        resolved=len(resolved),
        false_alarms=sum(1 for r in resolved if r.details.get("verdict") == "false_alarm"),
        median_ack_s=float(statistics.median(waits)) if waits else None,
    )  # fmt: skip
