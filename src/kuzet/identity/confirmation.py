"""Two-person confirmation of face matches, and the per-use log.

A match starts ``pending``. It becomes ``confirmed`` (actionable) only when two
different users have confirmed it; any verifier may reject it (``rejected``).
The same user confirming twice, or deciding on a match that is already decided,
is a :class:`ConflictError`. The ``face_matches`` row plus its
``match_confirmations`` rows are the per-use log: time, camera, list, entry,
score, probe-crop SHA-256 and the verifiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kuzet.identity.models import FaceMatchRow, MatchConfirmationRow
from kuzet.identity.watchlists import NotFoundError

CONFIRMATIONS_NEEDED = 2


class MatchStatus(StrEnum):
    """Where a match is in the confirmation workflow."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Decision(StrEnum):
    """A verifier's decision."""

    CONFIRM = "confirm"
    REJECT = "reject"


class ConflictError(RuntimeError):
    """The decision is not allowed in the match's current state (HTTP 409)."""


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """A match with its decisions, oldest first."""

    match: FaceMatchRow
    confirmations: tuple[MatchConfirmationRow, ...]


class MatchRepo:
    """Stores matches and verifiers' decisions."""

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def find(self, match_id: str) -> FaceMatchRow | None:
        """The match row with this id, or None."""
        with self._sessions() as session:
            return session.get(FaceMatchRow, match_id)

    def add(self, row: FaceMatchRow) -> FaceMatchRow:
        """Store a new (pending) match."""
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def list(self, status: str | None, cameras: Sequence[str] | None,
             limit: int = 100) -> list[FaceMatchRow]:
        """Matches, newest first; ``cameras`` None = every camera, ``[]`` = none."""
        stmt = sa.select(FaceMatchRow).order_by(FaceMatchRow.matched_at.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(FaceMatchRow.status == str(MatchStatus(status)))
        if cameras is not None:
            stmt = stmt.where(FaceMatchRow.camera_id.in_(list(cameras)))
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def list_records(self, status: str | None, cameras: Sequence[str] | None,
                     limit: int = 100) -> Sequence[MatchRecord]:
        """Like :meth:`list`, each match with its decisions (one extra query in all)."""
        rows = self.list(status, cameras, limit)
        stmt = (sa.select(MatchConfirmationRow)
                .where(MatchConfirmationRow.match_id.in_([r.id for r in rows]))
                .order_by(MatchConfirmationRow.at, MatchConfirmationRow.id))
        by_match: dict[str, list[MatchConfirmationRow]] = {}
        with self._sessions() as session:
            for c in session.scalars(stmt):
                by_match.setdefault(c.match_id, []).append(c)
        return [MatchRecord(r, tuple(by_match.get(r.id, ()))) for r in rows]

    def get(self, match_id: str) -> MatchRecord:
        """One match and its decisions.

        Raises:
            NotFoundError: Unknown id.
        """
        with self._sessions() as session:
            return self._record(session, match_id)

    def _record(self, session: Session, match_id: str) -> MatchRecord:
        row = session.get(FaceMatchRow, match_id)
        if row is None:
            raise NotFoundError(f"no face match {match_id!r}")
        stmt = (sa.select(MatchConfirmationRow).where(MatchConfirmationRow.match_id == match_id)
                .order_by(MatchConfirmationRow.at, MatchConfirmationRow.id))
        return MatchRecord(row, tuple(session.scalars(stmt)))

    def decide(self, match_id: str, user_id: str, username: str, decision: Decision,
               reason: str | None = None) -> MatchRecord:
        """Record one verifier's decision and advance the status.

        Raises:
            NotFoundError: Unknown id.
            ConflictError: Already decided, or this user already confirmed it.
        """
        now = datetime.now(UTC)
        try:
            with self._sessions.begin() as session:
                record = self._record(session, match_id)
                row = record.match
                if row.status != MatchStatus.PENDING:
                    raise ConflictError(f"match {match_id} is already {row.status}; "
                                        "only pending matches can be confirmed or rejected")
                confirmers = {c.user_id for c in record.confirmations
                              if c.decision == Decision.CONFIRM}
                if decision == Decision.CONFIRM and user_id in confirmers:
                    raise ConflictError(f"you ({username}) have already confirmed match "
                                        f"{match_id}; a second, different user must confirm it")
                session.add(MatchConfirmationRow(match_id=match_id, user_id=user_id,
                                                 username=username, decision=str(decision),
                                                 reason=reason, at=now))
                if decision == Decision.REJECT:
                    row.status, row.decided_at = MatchStatus.REJECTED.value, now
                elif len(confirmers | {user_id}) >= CONFIRMATIONS_NEEDED:
                    row.status, row.decided_at = MatchStatus.CONFIRMED.value, now
        except IntegrityError as exc:
            raise ConflictError(f"{username} has already decided on match {match_id}") from exc
        return self.get(match_id)
