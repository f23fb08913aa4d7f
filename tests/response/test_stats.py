"""Verdict statistics: precision per rule, camera and week; medians; the precision floor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from response_factories import ANA, BOB, T0, FakeClock, make_event, open_service

from kuzet.config.feedback import FeedbackConfig
from kuzet.config.response import ResponseConfig
from kuzet.privacy.audit import AuditQuery
from kuzet.response.flags import RuleFlags
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.states import Action, Verdict
from kuzet.response.stats import (
    AlarmFacts,
    Floor,
    Span,
    figures,
    iso_week,
    verdict_stats,
    weeks_between,
)

ALMATY = ZoneInfo("Asia/Almaty")


def _facts(*verdicts: str | None) -> list[AlarmFacts]:
    return [AlarmFacts("r", "gate", "open" if v is None else "resolved", v, T0)
            for v in verdicts]


C, F, D, N, R = "confirmed", "false_alarm", "duplicate", "no_action", "referred"


@pytest.mark.parametrize(
    ("verdicts", "floor", "precision", "decided", "enough", "below"),
    [
        ((), Floor(0.5, 1), None, 0, False, False),  # empty
        ((C, C, C, F), Floor(0.5, 2), 0.75, 4, True, False),
        ((C, F, F, F), Floor(0.5, 4), 0.25, 4, True, True),  # flagged
        ((C, F, F, F), Floor(0.5, 5), 0.25, 4, False, False),  # below the minimum
        ((D, N, None), Floor(0.5, 1), None, 0, False, False),  # nothing decided
        ((R, F), Floor(0.5, 1), 0.5, 2, True, False),  # referred counts as true; 0.5 is not under
        ((F, F), Floor(None, 1), 0.0, 2, True, False),  # no floor configured
        ((D, D, F, C, None), Floor(0.6, 2), 0.5, 2, True, True),  # duplicates in neither part
    ],
)
def test_figures(verdicts: tuple[str | None, ...], floor: Floor, precision: float | None,
                 decided: int, enough: bool, below: bool) -> None:
    result = figures("r", _facts(*verdicts), floor)
    assert result.precision == precision
    assert result.decided == decided
    assert (result.enough, result.below_floor) == (enough, below)
    assert result.alarms == len(verdicts)
    assert result.open == sum(v is None for v in verdicts)
    assert sum(result.verdicts.values()) == len([v for v in verdicts if v is not None])
    assert set(result.verdicts) == {v.value for v in Verdict}


@pytest.mark.parametrize(
    ("when", "zone", "week"),
    [
        (datetime(2026, 3, 1, 12, tzinfo=UTC), UTC, "2026-W09"),
        (datetime(2026, 3, 1, 20, tzinfo=UTC), ALMATY, "2026-W10"),  # Monday 01:00 in Almaty
        (datetime(2026, 3, 1, 18, 59, tzinfo=UTC), ALMATY, "2026-W09"),  # Sunday 23:59
        (datetime(2027, 1, 1, 0, tzinfo=UTC), UTC, "2026-W53"),  # ISO year differs
    ],
)
def test_iso_week_in_site_zone(when: datetime, zone: ZoneInfo, week: str) -> None:
    assert iso_week(when, zone) == week


def test_weeks_between_includes_empty_weeks_and_refuses_bad_spans() -> None:
    assert weeks_between(T0, T0 + timedelta(days=14), UTC) == ["2026-W09", "2026-W10",
                                                                "2026-W11"]
    with pytest.raises(ValueError, match="after since"):
        weeks_between(T0, T0, UTC)
    with pytest.raises(ValueError, match="160 weeks"):
        weeks_between(T0, T0 + timedelta(days=7 * 200), UTC)


def handle(service: ResponseService, clock: FakeClock, event_id: str, verdict: Verdict | None,
           **event: str) -> None:
    """Open an alarm now; ANA acknowledges it 30 s later and resolves it 60 s after that."""
    service.open_alarm(make_event(event_id, **event))  # type: ignore[arg-type]
    clock.advance(30)
    service.act(event_id, ActionRequest(Action.ACKNOWLEDGE), ANA)
    if verdict is not None:
        clock.advance(60)
        service.act(event_id, ActionRequest(Action.RESOLVE, verdict=verdict), ANA)


def test_store_stats_per_rule_camera_and_week(service: ResponseService, clock: FakeClock) -> None:
    handle(service, clock, "a1", Verdict.CONFIRMED)
    handle(service, clock, "a2", Verdict.FALSE_ALARM)
    handle(service, clock, "a3", Verdict.FALSE_ALARM, rule_id="hall-crowd", camera_id="hall")
    clock.advance(7 * 86400)  # next week
    handle(service, clock, "a4", None)
    handle(service, clock, "a5", Verdict.DUPLICATE)
    engine = service.audit.engine
    span = Span(T0 - timedelta(days=1), clock.now + timedelta(hours=1))
    stats = verdict_stats(engine, span, UTC, Floor(0.6, 2))
    assert stats.total.alarms == 5 and stats.total.open == 1
    rules = {f.key: f for f in stats.rules}
    assert rules["gate-zone"].precision == 0.5 and rules["gate-zone"].below_floor
    assert rules["hall-crowd"].precision == 0.0 and not rules["hall-crowd"].enough
    assert stats.flagged == ["gate-zone"]
    assert [f.key for f in stats.cameras] == ["gate", "hall"]
    assert [(w.key, w.alarms) for w in stats.weeks] == [("2026-W09", 3), ("2026-W10", 2)]
    assert [w.alarms for w in stats.rule_weeks["hall-crowd"]] == [1, 0]
    assert stats.total.median_ack_s == 30.0 and stats.total.median_resolve_s == 90.0
    only_hall = verdict_stats(engine, Span(span.since, span.until, ["hall"]), UTC, Floor())
    assert [f.key for f in only_hall.rules] == ["hall-crowd"]
    empty = verdict_stats(engine, Span(T0 - timedelta(days=30), T0 - timedelta(days=20)), UTC,
                          Floor())
    assert empty.total.alarms == 0 and empty.rules == [] and len(empty.weeks) == 3


def test_precision_floor_flags_and_clears_with_audit(tmp_path: Path) -> None:
    clock = FakeClock()
    config = ResponseConfig(feedback=FeedbackConfig(precision_floor=0.5, min_verdicts=3))
    store, service = open_service(tmp_path, config, clock)
    flags = RuleFlags(store.engine, service)
    service.updates.subscribe(flags.on_update)
    try:
        handle(service, clock, "b1", Verdict.FALSE_ALARM)
        handle(service, clock, "b2", Verdict.FALSE_ALARM)
        assert flags.current() == []  # 2 verdicts: under the minimum of 3
        handle(service, clock, "b3", Verdict.CONFIRMED)
        [flag] = flags.current()
        assert (flag.rule_id, round(flag.precision, 3), flag.decided) == ("gate-zone", 0.333, 3)
        low = service.audit.list(AuditQuery(action="rule.precision_low")).items
        assert [(r.target, r.details["false"]) for r in low] == [("gate-zone", 2)]
        handle(service, clock, "b4", Verdict.CONFIRMED)  # 2/4 = 0.5: not under the floor
        assert flags.current() == []
        ok = service.audit.list(AuditQuery(action="rule.precision_ok")).items
        assert [r.target for r in ok] == ["gate-zone"]
        assert flags.check() == []  # nothing changes on a re-check
    finally:
        store.close()


def test_handover_note_is_stored_and_audited(service: ResponseService, clock: FakeClock) -> None:
    from kuzet.response.handover import HandoverDesk, ShiftQuery

    desk = HandoverDesk(service.audit.engine, service)
    handle(service, clock, "c1", Verdict.CONFIRMED)
    service.open_alarm(make_event("c2", camera_id="hall"))
    clock.advance(90)
    service.act("c2", ActionRequest(Action.ACKNOWLEDGE), BOB)
    desk.write_note("gate 3 barrier stuck open; patrol informed", ANA)
    with pytest.raises(ValueError):
        desk.write_note("   ", ANA)
    report = desk.report(ShiftQuery(T0, clock.now + timedelta(seconds=1)))
    assert report.alarms == 2 and report.by_verdict == {"confirmed": 1}
    assert {w.operator: (w.handled, w.median_ack_s) for w in report.workload} == {
        "ana": (1, 30.0), "bob": (1, 90.0)}
    assert [n.text for n in report.notes] == ["gate 3 barrier stuck open; patrol informed"]
    own = desk.report(ShiftQuery(T0, clock.now + timedelta(seconds=1), ["hall"], "u-bob"))
    assert own.alarms == 1 and [w.operator for w in own.workload] == ["bob"]
    audit = service.audit.list(AuditQuery(action="handover.note")).items
    assert [r.actor for r in audit] == ["ana"]
