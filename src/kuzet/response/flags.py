"""Flagging rules whose precision fell under the configured floor, for the admin.

After every verdict (a ``resolve`` on :attr:`ResponseService.updates`) the rule's
figures over the last ``response.feedback.window_days`` are computed again. A rule
newly under the floor, with at least ``min_verdicts`` true + false verdicts, gets a
``rule_flags`` row and a ``rule.precision_low`` audit record; a flagged rule back
at or above the floor loses its row with a ``rule.precision_ok`` record. The
analytics page and ``GET /api/analytics/flags`` show the rows.

Each change (flagged or cleared, never a rule whose flag stays) is also a
``rule`` :class:`ResponseUpdate` (action ``precision_low`` / ``precision_ok``):
its webhook deliveries are written with the flag row in one transaction
(``ResponseService.outbox``) and it is published on ``ResponseService.updates``
after the commit (MQTT). The row's insert (a primary key) and delete (a
matched row) decide which of two concurrent checks made the change, so it is
pushed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kuzet.config.feedback import FeedbackConfig
from kuzet.response.feedback_models import RuleFlagRow
from kuzet.response.service import ResponseService
from kuzet.response.stats import Figures, Floor, Span, figures, load_facts
from kuzet.response.views import ResponseUpdate

LOW, OK = "rule.precision_low", "rule.precision_ok"
PUSHED = {True: "precision_low", False: "precision_ok"}  # the pushed change's action


def floor_of(config: FeedbackConfig) -> Floor:
    """The :class:`Floor` of the feedback settings."""
    return Floor(config.precision_floor, config.min_verdicts)


@dataclass(frozen=True, slots=True)
class FlagChange:
    """A rule flagged (``flagged`` True) or cleared, with the figures that decided it."""

    rule_id: str
    flagged: bool
    figures: Figures


class RuleFlags:
    """Keeps ``rule_flags`` in step with the rules' precision; audits each change.

    Args:
        engine: The service's database.
        service: Alarms, audit trail, settings (``response.feedback``) and clock.

    Example:
        >>> flags = RuleFlags(store.engine, service)  # doctest: +SKIP
        >>> unsubscribe = service.updates.subscribe(flags.on_update)  # doctest: +SKIP
    """

    def __init__(self, engine: Engine, service: ResponseService) -> None:
        self.engine = engine
        self.service = service
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    @property
    def config(self) -> FeedbackConfig:
        """The service's feedback settings."""
        return self.service.config.feedback

    def current(self) -> list[RuleFlagRow]:
        """Rules flagged now, oldest flag first."""
        stmt = sa.select(RuleFlagRow).order_by(RuleFlagRow.flagged_at, RuleFlagRow.rule_id)
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def on_update(self, update: ResponseUpdate) -> None:
        """Bus callback: re-check the rule of a resolved alarm."""
        if update.topic == "alarm" and update.action == "resolve":
            self.check([str(update.data["rule_id"])])

    def check(self, rule_ids: Sequence[str] | None = None) -> list[FlagChange]:
        """Re-check ``rule_ids`` (None: every rule with alarms in the window, and every
        flagged rule); flag or clear them and audit each change.

        Returns:
            The changes made (nothing for rules whose flag stays as it was).
        """
        now = self.service.clock()
        span = Span(now - timedelta(days=self.config.window_days), now, None, rule_ids or ())
        facts = load_facts(self.engine, span)
        flagged = {row.rule_id: row for row in self.current()}
        rules = set(rule_ids) if rule_ids is not None else {f.rule_id for f in facts} | set(
            flagged)
        floor = floor_of(self.config)
        changes = []
        for rule in sorted(rules):
            result = figures(rule, [f for f in facts if f.rule_id == rule], floor)
            change = self._apply(result, flagged.get(rule), now, floor)
            if change is not None:
                changes.append(change)
        return changes

    def _apply(self, result: Figures, row: RuleFlagRow | None, now: datetime,
               floor: Floor) -> FlagChange | None:
        if result.below_floor and result.precision is not None and floor.precision is not None:
            if row is not None:
                with self._sessions.begin() as session:
                    session.execute(sa.update(RuleFlagRow)
                                    .where(RuleFlagRow.rule_id == result.key)
                                    .values(precision=result.precision, decided=result.decided,
                                            floor=floor.precision, checked_at=now))
                return None
            update = self._update(True, result, floor, now)
            try:
                with self._sessions.begin() as session:
                    session.add(RuleFlagRow(rule_id=result.key, precision=result.precision,
                                            decided=result.decided, floor=floor.precision,
                                            flagged_at=now, checked_at=now))
                    session.flush()  # an IntegrityError here: flagged by another check
                    self.service.outbox(session.connection(), update)
            except IntegrityError:
                return None
            return self._changed(LOW, update, result, floor)
        if row is None:
            return None
        update = self._update(False, result, floor, now)
        with self._sessions.begin() as session:
            deleted = session.execute(sa.delete(RuleFlagRow)
                                      .where(RuleFlagRow.rule_id == result.key))
            if deleted.rowcount != 1:  # type: ignore[attr-defined]
                return None  # cleared by another check
            self.service.outbox(session.connection(), update)
        return self._changed(OK, update, result, floor)

    def _update(self, flagged: bool, result: Figures, floor: Floor,
                now: datetime) -> ResponseUpdate:
        """The change as pushed to webhooks and MQTT (see docs/integrations.md)."""
        data = {
            "rule_id": result.key, "flagged": flagged, "precision": result.precision,
            "true": result.true_count, "false": result.false_count, "decided": result.decided,
            "floor": floor.precision, "min_verdicts": floor.min_verdicts,
            "window_days": self.config.window_days, "updated_at": now.isoformat(),
        }  # fmt: skip
        return ResponseUpdate("rule", result.key, PUSHED[flagged], (), data)

    def _changed(self, action: str, update: ResponseUpdate, result: Figures,
                 floor: Floor) -> FlagChange:
        """After the commit: the audit record and the live update of a change."""
        self._audit(action, result, floor)
        self.service.updates.publish(update)
        return FlagChange(result.key, bool(update.data["flagged"]), result)

    def _audit(self, action: str, result: Figures, floor: Floor) -> None:
        self.service.audit.record(action, actor=None, target=result.key, details={
            "precision": result.precision, "true": result.true_count,
            "false": result.false_count, "floor": floor.precision,
            "min_verdicts": floor.min_verdicts, "window_days": self.config.window_days,
        })
