"""Verdict statistics: how well each rule, camera and week does, measured by operators.

Precision counts what operators found when they resolved an alarm::

    precision = true / (true + false)
    true  = confirmed + referred   (a real situation; referred = passed on, after
                                    verification, to an external body)
    false = false_alarm
    duplicate, no_action: counted by verdict but in neither part (a duplicate is a
    second alarm about a real situation; "no action" says nothing about the rule)

Open alarms have no verdict yet and count only in ``alarms`` and ``open``. Times to
acknowledge and to resolve run from the alarm's opening; their medians cover the
alarms that reached that point. An alarm belongs to the ISO week (Monday to
Sunday, in the site's time zone) in which it was opened.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kuzet.response.models import AlarmRow
from kuzet.response.states import AlarmState, Verdict

TRUE_VERDICTS = frozenset({Verdict.CONFIRMED.value, Verdict.REFERRED.value})
FALSE_VERDICTS = frozenset({Verdict.FALSE_ALARM.value})
VERDICT_NAMES = tuple(v.value for v in Verdict)
RESOLVED = AlarmState.RESOLVED.value
MAX_WEEKS = 160  # about three years of weekly points per series
UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # never used: opened_at is NOT NULL


@dataclass(frozen=True, slots=True)
class AlarmFacts:
    """What statistics need of one alarm (times in UTC)."""

    rule_id: str
    camera_id: str
    state: str
    verdict: str | None
    opened_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Floor:
    """The precision floor: below it, with enough verdicts, a rule is flagged.

    Attributes:
        precision: The floor (0..1); None = never flag.
        min_verdicts: True + false verdicts needed before a flag.
    """

    precision: float | None = 0.5
    min_verdicts: int = 20


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one group of alarms (a rule, a camera, a week ...).

    Attributes:
        key: The group (rule id, camera id, ``2026-W09`` ...; ``all`` for the total).
        alarms: Alarms opened in the span.
        open: Of those, not resolved yet.
        verdicts: Count per verdict (every verdict present, zeros included).
        true_count: Confirmed + referred.
        false_count: False alarms.
        precision: ``true / (true + false)``; None without such verdicts.
        enough: At least the floor's ``min_verdicts`` true + false verdicts.
        below_floor: ``enough`` and precision under the floor.
        median_ack_s: Median seconds from opening to acknowledgement, or None.
        median_resolve_s: Median seconds from opening to resolution, or None.
    """

    key: str
    alarms: int
    open: int
    verdicts: dict[str, int]
    true_count: int
    false_count: int
    precision: float | None
    enough: bool
    below_floor: bool
    median_ack_s: float | None
    median_resolve_s: float | None

    @property
    def decided(self) -> int:
        """Verdicts that count in precision (true + false)."""
        return self.true_count + self.false_count


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def figures(key: str, facts: Sequence[AlarmFacts], floor: Floor) -> Figures:
    """The figures of ``facts`` as one group (one pass over them).

    Example:
        >>> figures("all", [], Floor()).precision is None
        True
    """
    verdicts = dict.fromkeys(VERDICT_NAMES, 0)
    still_open = 0
    acks: list[float] = []
    resolves: list[float] = []
    for fact in facts:
        if fact.verdict is not None:
            verdicts[fact.verdict] = verdicts.get(fact.verdict, 0) + 1
        if fact.state != RESOLVED:
            still_open += 1
        if fact.acknowledged_at is not None:
            acks.append((fact.acknowledged_at - fact.opened_at).total_seconds())
        if fact.resolved_at is not None:
            resolves.append((fact.resolved_at - fact.opened_at).total_seconds())
    true = sum(verdicts[v] for v in TRUE_VERDICTS)
    false = sum(verdicts[v] for v in FALSE_VERDICTS)
    precision = true / (true + false) if true + false else None
    enough = true + false >= floor.min_verdicts
    below = (enough and precision is not None and floor.precision is not None
             and precision < floor.precision)
    return Figures(
        key=key, alarms=len(facts), open=still_open, verdicts=verdicts, true_count=true,
        false_count=false, precision=precision, enough=enough, below_floor=below,
        median_ack_s=_median(acks), median_resolve_s=_median(resolves),
    )  # fmt: skip


def iso_week(when: datetime, zone: tzinfo) -> str:
    """The ISO week of ``when`` in ``zone``, as ``YYYY-Www``.

    Example:
        >>> from datetime import UTC
        >>> iso_week(datetime(2026, 3, 1, 12, tzinfo=UTC), UTC)
        '2026-W09'
    """
    year, week, _ = when.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(key: str) -> date:
    """The Monday of an ISO week ``YYYY-Www``."""
    year, week = key.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def weeks_between(since: datetime, until: datetime, zone: tzinfo) -> list[str]:
    """Every ISO week from ``since``'s to the one just before ``until``, oldest first.

    Raises:
        ValueError: ``until`` is not after ``since``, or the span has over 160 weeks.
    """
    if until <= since:
        raise ValueError(f"until ({until.isoformat()}) must be after since ({since.isoformat()})")
    last = iso_week(until - timedelta(microseconds=1), zone)
    day, keys = week_monday(iso_week(since, zone)), []
    while True:
        key = f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}"
        keys.append(key)
        if key == last:
            return keys
        if len(keys) >= MAX_WEEKS:
            raise ValueError(f"the span covers more than {MAX_WEEKS} weeks; choose a shorter one")
        day += timedelta(days=7)


def _grouped(facts: Sequence[AlarmFacts],
             key: Callable[[AlarmFacts], str]) -> dict[str, list[AlarmFacts]]:
    groups: dict[str, list[AlarmFacts]] = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    return groups


@dataclass(frozen=True, slots=True)
class Span:
    """The alarms to measure: opened in ``[since, until)``, of ``cameras`` (None = all)."""

    since: datetime
    until: datetime
    cameras: Sequence[str] | None = None
    rules: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class VerdictStats:
    """Figures of a span: in total, per rule, per camera, per week and per rule and week.

    Attributes:
        span: What was measured.
        zone_name: The time zone of the week boundaries (IANA name).
        floor: The precision floor applied.
        total: Every alarm of the span.
        rules: Per rule, most alarms first.
        cameras: Per camera, most alarms first.
        weeks: Per ISO week, oldest first (weeks without alarms included).
        rule_weeks: Per rule, its weeks (same keys as ``weeks``).
    """

    span: Span
    zone_name: str
    floor: Floor
    total: Figures
    rules: list[Figures] = field(default_factory=list)
    cameras: list[Figures] = field(default_factory=list)
    weeks: list[Figures] = field(default_factory=list)
    rule_weeks: dict[str, list[Figures]] = field(default_factory=dict)

    @property
    def flagged(self) -> list[str]:
        """Rules whose precision is under the floor (with enough verdicts)."""
        return [f.key for f in self.rules if f.below_floor]


def _by_size(groups: dict[str, list[AlarmFacts]], floor: Floor) -> list[Figures]:
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [figures(key, facts, floor) for key, facts in ordered]


def compute(facts: Sequence[AlarmFacts], span: Span, zone: tzinfo, floor: Floor) -> VerdictStats:
    """Every figure of ``facts`` (the alarms of ``span``).

    Raises:
        ValueError: See :func:`weeks_between`.
    """
    week_keys = weeks_between(span.since, span.until, zone)
    week_of = {id(f): iso_week(f.opened_at, zone) for f in facts}
    by_week = _grouped(facts, lambda f: week_of[id(f)])
    by_rule = _grouped(facts, lambda f: f.rule_id)
    rule_weeks = {}
    for rule, rule_facts in by_rule.items():
        per_week = _grouped(rule_facts, lambda f: week_of[id(f)])
        rule_weeks[rule] = [figures(k, per_week.get(k, []), floor) for k in week_keys]
    return VerdictStats(
        span=span, zone_name=str(zone), floor=floor, total=figures("all", facts, floor),
        rules=_by_size(by_rule, floor),
        cameras=_by_size(_grouped(facts, lambda f: f.camera_id), floor),
        weeks=[figures(k, by_week.get(k, []), floor) for k in week_keys], rule_weeks=rule_weeks,
    )  # fmt: skip


A = AlarmRow
# Times are read as the driver gives them: SQLAlchemy's generic SQLite DateTime parsing
# (a regex per value) was 3/4 of the time of the whole computation over 10,000 alarms.
RAW_TIMES = tuple(sa.type_coerce(c, sa.String).label(c.key)
                  for c in (A.opened_at, A.acknowledged_at, A.resolved_at))


def _utc(value: object) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite text or a driver's datetime)."""
    if value is None:
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(when, datetime):
        raise TypeError(f"expected a stored time, got {value!r}")
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def load_facts(engine: Engine, span: Span) -> list[AlarmFacts]:
    """The facts of the alarms of ``span`` (one query, only the columns needed)."""
    stmt = (sa.select(A.rule_id, A.camera_id, A.state, A.verdict, *RAW_TIMES)
            .where(A.opened_at >= span.since, A.opened_at < span.until))
    if span.cameras is not None:
        stmt = stmt.where(A.camera_id.in_(list(span.cameras)))
    if span.rules:
        stmt = stmt.where(A.rule_id.in_(list(span.rules)))
    with engine.connect() as conn:
        rows: list[tuple[Any, ...]] = [tuple(r) for r in conn.execute(stmt)]
    return [AlarmFacts(r[0], r[1], r[2], r[3], _utc(r[4]) or UTC_EPOCH, _utc(r[5]), _utc(r[6]))
            for r in rows]


def verdict_stats(engine: Engine, span: Span, zone: tzinfo, floor: Floor) -> VerdictStats:
    """Load and compute the figures of ``span``.

    Example:
        >>> stats = verdict_stats(store.engine, Span(since, until), UTC, Floor())  # doctest: +SKIP
        >>> stats.flagged  # doctest: +SKIP
        ['gate-zone']
    """
    return compute(load_facts(engine, span), span, zone, floor)
