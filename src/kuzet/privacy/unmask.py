"""Unmask grants: a user sees faces and plates unblurred for a limited time.

A grant carries the typed reason and an optional scope (one camera, or one
event's evidence). Expiry is enforced here, on the server: a grant counts only
while ``created_at <= now < min(expires_at, ended_at)``. Granting and ending
are audited by the API (``deps.audit.record("unmask", ...)``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from kuzet.store.models import Base


class UnmaskGrantRow(Base):
    """One unmask grant (migration r0005_unmask); times are UNIX seconds."""

    __tablename__ = "unmask_grants"
    __table_args__ = (sa.Index("ix_unmask_grants_user_expires", "user_id", "expires_at"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    username: Mapped[str] = mapped_column(sa.String(128))
    reason: Mapped[str] = mapped_column(sa.Text)
    camera_id: Mapped[str | None] = mapped_column(sa.String(128))
    event_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[float] = mapped_column(sa.Float)
    expires_at: Mapped[float] = mapped_column(sa.Float)
    ended_at: Mapped[float | None] = mapped_column(sa.Float)


@dataclass(frozen=True, slots=True)
class UnmaskGrant:
    """A stored grant.

    Attributes:
        id: Grant id.
        user_id: Who may see unmasked.
        username: Their login name.
        reason: Why (typed by the user; also in the audit trail).
        camera_id: Only this camera (live and its events), or None for all.
        event_id: Only this event's evidence, or None.
        created_at: UNIX time granted.
        expires_at: UNIX time it ends by itself.
        ended_at: UNIX time it was ended early, if it was.
    """

    id: str
    user_id: str
    username: str
    reason: str
    camera_id: str | None
    event_id: str | None
    created_at: float
    expires_at: float
    ended_at: float | None = None

    @property
    def until(self) -> float:
        """When the grant stops counting."""
        return self.expires_at if self.ended_at is None else min(self.expires_at, self.ended_at)

    def active(self, now: float) -> bool:
        """True while the grant counts."""
        return self.created_at <= now < self.until

    def covers(self, camera_id: str | None, event_id: str | None = None) -> bool:
        """True when the grant's scope includes this camera (and event)."""
        if self.event_id is not None:
            return event_id == self.event_id
        return self.camera_id is None or self.camera_id == camera_id

    @staticmethod
    def from_row(row: UnmaskGrantRow) -> UnmaskGrant:
        """The grant of a table row."""
        return UnmaskGrant(
            row.id,
            row.user_id,
            row.username,
            row.reason,
            row.camera_id,
            row.event_id,
            row.created_at,
            row.expires_at,
            row.ended_at,
        )


@dataclass(frozen=True, slots=True)
class GrantRequest:
    """What a user asks for: who, why, how long, and the scope."""

    user_id: str
    username: str
    reason: str
    seconds: float
    camera_id: str | None = None
    event_id: str | None = None


class UnmaskGrants:
    """Repository of unmask grants.

    Example:
        >>> grants = UnmaskGrants(store.engine)  # doctest: +SKIP
        >>> g = grants.grant(GrantRequest("u1", "ana", "incident 42", 600))  # doctest: +SKIP
        >>> grants.until("u1", "gate") == g.expires_at  # doctest: +SKIP
        True
    """

    def __init__(self, engine: Engine) -> None:
        """Use ``engine`` (migrated: table ``unmask_grants``)."""
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def grant(self, request: GrantRequest, now: float | None = None) -> UnmaskGrant:
        """Store a new grant starting ``now``.

        Raises:
            ValueError: A non-positive duration or an empty reason.
        """
        if request.seconds <= 0 or not request.reason.strip():
            raise ValueError(f"need a reason and seconds > 0, got {request.seconds}")
        start = time.time() if now is None else now
        row = UnmaskGrantRow(
            id=uuid.uuid4().hex,
            user_id=request.user_id,
            username=request.username,
            reason=request.reason,
            camera_id=request.camera_id,
            event_id=request.event_id,
            created_at=start,
            expires_at=start + request.seconds,
            ended_at=None,
        )
        with self._sessions.begin() as session:
            session.add(row)
        return UnmaskGrant.from_row(row)

    def active(self, user_id: str, now: float | None = None) -> list[UnmaskGrant]:
        """The user's grants that count at ``now``, newest first."""
        at = time.time() if now is None else now
        query = (
            sa.select(UnmaskGrantRow)
            .where(
                UnmaskGrantRow.user_id == user_id,
                UnmaskGrantRow.expires_at > at,
                UnmaskGrantRow.created_at <= at,
            )
            .where(sa.or_(UnmaskGrantRow.ended_at.is_(None), UnmaskGrantRow.ended_at > at))
            .order_by(UnmaskGrantRow.created_at.desc())
        )
        with self._sessions() as session:
            return [UnmaskGrant.from_row(r) for r in session.scalars(query)]

    def until(
        self,
        user_id: str,
        camera_id: str | None,
        event_id: str | None = None,
        now: float | None = None,
    ) -> float | None:
        """Latest end of the user's active grants covering this camera/event, or None."""
        ends = [g.until for g in self.active(user_id, now) if g.covers(camera_id, event_id)]
        return max(ends) if ends else None

    def end(self, user_id: str, now: float | None = None) -> list[UnmaskGrant]:
        """End every active grant of the user now; returns the grants ended."""
        at = time.time() if now is None else now
        ended = self.active(user_id, at)
        if ended:
            with self._sessions.begin() as session:
                session.execute(
                    sa.update(UnmaskGrantRow)
                    .where(UnmaskGrantRow.id.in_([g.id for g in ended]))
                    .values(ended_at=at)
                )
        return ended
