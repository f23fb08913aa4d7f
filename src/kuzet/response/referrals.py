"""Verification before anything leaves: a ``referred`` verdict needs a second person.

An alarm resolved with the verdict ``referred`` (handed to an external body,
e.g. for an offence record) is a *pending* referral until a supervisor other
than the one who referred it verifies or rejects it. The decision is an alarm
history row (``verify_referral`` / ``reject_referral``), hence an audit record
and a line of the incident's timeline; it is final. Signed exports carry it
and are refused while a referral of theirs is pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.response.actor import Actor
from kuzet.response.alarms import MAX_LIMIT, Change, decode_keys, encode_keys
from kuzet.response.errors import ConflictError, ForbiddenError
from kuzet.response.models import AlarmHistoryRow, AlarmRow
from kuzet.response.states import Action, AlarmState, Verdict

if TYPE_CHECKING:
    from kuzet.response.service import ResponseService

ReferralState = Literal["pending", "verified", "rejected"]
DECISIONS = {Action.VERIFY_REFERRAL: "verified", Action.REJECT_REFERRAL: "rejected"}
ATTEMPTS = 3
A, H = AlarmRow, AlarmHistoryRow


@dataclass(frozen=True, slots=True)
class ReferralQuery:
    """Filters of :meth:`ReferralDesk.page`; ``cameras`` None = every camera."""

    state: ReferralState | None = None
    cameras: Sequence[str] | None = None
    limit: int = 50
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be in 1..{MAX_LIMIT}, got {self.limit}")


@dataclass(frozen=True, slots=True)
class ReferralPage:
    """Referrals, newest referral first."""

    items: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def referral_json(alarm: AlarmRow, history: Sequence[AlarmHistoryRow]) -> dict[str, Any] | None:
    """Who referred the alarm and who checked it; None unless its verdict is ``referred``."""
    if alarm.verdict != Verdict.REFERRED.value:
        return None
    mine = [h for h in history if h.alarm_id == alarm.id]
    referred = next((h for h in reversed(mine) if h.action == Action.RESOLVE.value), None)
    checked = next((h for h in reversed(mine) if h.action in DECISIONS), None)
    return {
        "alarm_id": alarm.id, "incident_id": alarm.incident_id, "camera_id": alarm.camera_id,
        "kind": alarm.kind,
        "state": DECISIONS[Action(checked.action)] if checked else "pending",
        "referred_by": referred.actor if referred else None,
        "referred_at": referred.at.isoformat() if referred else None,
        "reason": referred.reason if referred else None,
        "checked_by": checked.actor if checked else None,
        "checked_at": checked.at.isoformat() if checked else None,
        "note": checked.reason if checked else None,
    }  # fmt: skip


def _decided(actions: Sequence[Action]) -> sa.Exists:
    return sa.exists(sa.select(H.id).where(H.alarm_id == A.id,
                                           H.action.in_([a.value for a in actions])))


class ReferralDesk:
    """Referrals on top of a :class:`ResponseService`."""

    def __init__(self, service: ResponseService, engine: Engine) -> None:
        self.service = service
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def of(self, alarm_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The referrals among these alarms (their ``referral_json``), in the order given."""
        alarms = {a.id: a for a in self.service.alarms.find(alarm_ids)
                  if a.verdict == Verdict.REFERRED.value}  # fmt: skip
        history = self.service.alarms.history(sorted(alarms)) if alarms else []
        found = (referral_json(alarms[i], history) for i in alarm_ids if i in alarms)
        return [r for r in found if r is not None]

    def decide(self, alarm_id: str, verified: bool, note: str | None,
               actor: Actor) -> dict[str, Any]:
        """Verify (``verified``) or reject a pending referral, as a second person.

        Returns:
            The referral after the decision.

        Raises:
            NotFoundError: Unknown alarm.
            ConflictError: Not a referral, or decided already (the message says by whom).
            ForbiddenError: Not a supervisor, or the one who referred it.
        """
        action = Action.VERIFY_REFERRAL if verified else Action.REJECT_REFERRAL
        for _ in range(ATTEMPTS):
            row = self.service.alarms.get(alarm_id)
            referral = _check_decision(row, self.service.alarms.history([alarm_id]), actor)
            details = {"decision": DECISIONS[action], "referred_by": referral["referred_by"]}
            change = Change(action, AlarmState.RESOLVED, {}, note, details)
            after = self.service.write(row, change, actor)
            if after is not None:
                return self.of([alarm_id])[0]
        raise ConflictError(f"alarm {alarm_id} is changing too fast; try again")

    def page(self, query: ReferralQuery) -> ReferralPage:
        """Referrals (of ``query.state``), newest resolution first.

        Raises:
            ValueError: Malformed cursor.
        """
        stmt = (sa.select(A.id, A.resolved_at).where(A.verdict == Verdict.REFERRED.value)
                .order_by(A.resolved_at.desc(), A.id.desc()).limit(query.limit + 1))
        if query.state == "pending":
            stmt = stmt.where(~_decided(list(DECISIONS)))
        elif query.state is not None:
            action = next(a for a, s in DECISIONS.items() if s == query.state)
            stmt = stmt.where(_decided([action]))
        if query.cameras is not None:
            stmt = stmt.where(A.camera_id.in_(list(query.cameras)))
        if query.cursor:
            stmt = stmt.where(_before(query.cursor))
        with self._sessions() as session:
            keys = [(str(k[0]), k[1]) for k in session.execute(stmt).all()]
        more = len(keys) > query.limit
        keys = keys[: query.limit]
        cursor = None
        if more:
            resolved = keys[-1][1]
            cursor = encode_keys([resolved.isoformat() if resolved else "", keys[-1][0]])
        return ReferralPage(self.of([k[0] for k in keys]), cursor)


def _before(cursor: str) -> sa.ColumnElement[bool]:
    """Rows after the cursor in newest-resolution-first order."""
    resolved, alarm_id = decode_keys(cursor, 2)
    try:
        when = datetime.fromisoformat(str(resolved))
    except ValueError as error:
        raise ValueError(f"invalid cursor {cursor!r}") from error
    return sa.or_(A.resolved_at < when, sa.and_(A.resolved_at == when, A.id < str(alarm_id)))


def _same_person(actor: Actor, history: Sequence[AlarmHistoryRow]) -> bool:
    """True when ``actor`` gave the ``referred`` verdict (by user id, else by name)."""
    referred = next((h for h in reversed(history) if h.action == Action.RESOLVE.value), None)
    if referred is None:
        return False
    if actor.user_id is not None and referred.actor_id is not None:
        return actor.user_id == referred.actor_id
    return actor.username is not None and actor.username == referred.actor


def _check_decision(row: AlarmRow, history: Sequence[AlarmHistoryRow],
                    actor: Actor) -> dict[str, Any]:
    """The pending referral ``actor`` may decide on.

    Raises:
        ConflictError, ForbiddenError: See :meth:`ReferralDesk.decide`.
    """
    referral = referral_json(row, history)
    if referral is None:
        raise ConflictError(f"alarm {row.id} is not a referral: it is {row.state}"
                            + (f" with the verdict {row.verdict}" if row.verdict else ""))
    if referral["state"] != "pending":
        raise ConflictError(f"the referral of alarm {row.id} was already {referral['state']} "
                            f"by {referral['checked_by']} at {referral['checked_at']}")
    if not actor.supervisor:
        raise ForbiddenError("only a supervisor can verify a referral")
    if _same_person(actor, history):
        raise ForbiddenError(f"you referred alarm {row.id} yourself; a second person must "
                             "verify it")
    return referral
