"""The webhook delivery queue: one row per (change, endpoint), in the store.

A delivery is ``pending`` until an attempt gets a 2xx answer (``delivered``)
or has failed ``max_attempts`` times (``dead``: the dead-letter list, shown to
administrators, who can send it again). Rows live in the store, so what was
queued before a restart is delivered after it. Retries wait ``backoff``
seconds, doubling up to ``backoff_max``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from kuzet.config.integrations import WebhookConfig
from kuzet.store.models import Base


class DeliveryState(StrEnum):
    """Where a delivery is."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class WebhookDeliveryRow(Base):
    """One change to deliver to one endpoint (migration ``r0015_integrations``)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_due", "endpoint", "state", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_state_created", "state", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    endpoint: Mapped[str] = mapped_column(sa.String(64))
    event: Mapped[str] = mapped_column(sa.String(64))
    body: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


def retry_delay(attempts: int, hook: WebhookConfig) -> float:
    """Seconds to wait after the ``attempts``-th failure: backoff, doubling, capped.

    Example:
        >>> hook = WebhookConfig(name="x", url="http://h/", secret="s" * 16, backoff=2)
        >>> [retry_delay(n, hook) for n in (1, 2, 3)]
        [2.0, 4.0, 8.0]
    """
    return float(min(hook.backoff_max, hook.backoff * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one attempt: the HTTP status (None: no answer) and an error text."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class DeliveryPage:
    """One page of deliveries, newest first; ``next_cursor`` None on the last."""

    items: list[WebhookDeliveryRow] = field(default_factory=list)
    next_cursor: str | None = None


class WebhookQueue:
    """Deliveries in the store: enqueue, due, record attempts, list, retry."""

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def enqueue(self, endpoints: Sequence[str], event: str, body: str, now: datetime) -> list[str]:
        """Queue ``body`` for each endpoint in a transaction of its own; returns the ids."""
        with self._sessions.begin() as session:
            return self.enqueue_in(session.connection(), endpoints, event, body, now)

    @staticmethod
    def enqueue_in(conn: Connection, endpoints: Sequence[str], event: str, body: str,
                   now: datetime) -> list[str]:
        """Queue ``body`` for each endpoint on ``conn``, inside the caller's transaction
        (the outbox: the change and its deliveries commit, or roll back, together)."""
        rows = [{"id": uuid.uuid4().hex, "endpoint": name, "event": event, "body": body,
                 "state": DeliveryState.PENDING.value, "attempts": 0, "created_at": now,
                 "next_attempt_at": now} for name in endpoints]
        if rows:
            conn.execute(sa.insert(WebhookDeliveryRow), rows)
        return [str(r["id"]) for r in rows]

    def due(self, endpoint: str, now: datetime, limit: int = 50) -> list[WebhookDeliveryRow]:
        """Pending deliveries of ``endpoint`` whose next attempt is due, oldest first."""
        d = WebhookDeliveryRow
        stmt = (sa.select(d).where(d.endpoint == endpoint, d.state == DeliveryState.PENDING.value,
                                   d.next_attempt_at <= now)
                .order_by(d.next_attempt_at, d.created_at, d.id).limit(limit))
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def record(self, row: WebhookDeliveryRow, attempt: Attempt, now: datetime,
               hook: WebhookConfig) -> WebhookDeliveryRow:
        """Store an attempt's outcome: delivered, retry later, or dead after the last try."""
        attempts = row.attempts + 1
        values: dict[str, object] = {"attempts": attempts, "last_attempt_at": now,
                                     "last_status": attempt.status, "last_error": attempt.error}
        if attempt.ok:
            values.update(state=DeliveryState.DELIVERED.value, delivered_at=now,
                          next_attempt_at=None)
        elif attempts >= hook.max_attempts:
            values.update(state=DeliveryState.DEAD.value, next_attempt_at=None)
        else:
            values["next_attempt_at"] = now + timedelta(seconds=retry_delay(attempts, hook))
        with self._sessions.begin() as session:
            session.execute(sa.update(WebhookDeliveryRow)
                            .where(WebhookDeliveryRow.id == row.id).values(**values))
        return self.get(row.id)

    def get(self, delivery_id: str) -> WebhookDeliveryRow:
        """One delivery.

        Raises:
            KeyError: Unknown id.
        """
        with self._sessions() as session:
            row = session.get(WebhookDeliveryRow, delivery_id)
        if row is None:
            raise KeyError(delivery_id)
        return row

    def page(self, state: DeliveryState | None, endpoint: str | None, limit: int,
             before: tuple[datetime, str] | None = None) -> list[WebhookDeliveryRow]:
        """Deliveries (of a state and endpoint, if given), newest first, after a keyset."""
        d = WebhookDeliveryRow
        stmt = sa.select(d).order_by(d.created_at.desc(), d.id.desc()).limit(limit)
        if state is not None:
            stmt = stmt.where(d.state == state.value)
        if endpoint is not None:
            stmt = stmt.where(d.endpoint == endpoint)
        if before is not None:
            at, last_id = before
            stmt = stmt.where(sa.or_(d.created_at < at,
                                     sa.and_(d.created_at == at, d.id < last_id)))
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def retry(self, delivery_id: str, now: datetime) -> WebhookDeliveryRow:
        """Send a dead delivery again (attempts start over).

        Raises:
            KeyError: Unknown id.
            ValueError: The delivery is not dead.
        """
        row = self.get(delivery_id)
        if row.state != DeliveryState.DEAD.value:
            raise ValueError(f"delivery {delivery_id} is {row.state}; only dead deliveries "
                             "are retried by hand")
        with self._sessions.begin() as session:
            session.execute(sa.update(WebhookDeliveryRow)
                            .where(WebhookDeliveryRow.id == delivery_id,
                                   WebhookDeliveryRow.state == DeliveryState.DEAD.value)
                            .values(state=DeliveryState.PENDING.value, attempts=0,
                                    next_attempt_at=now))
        return self.get(delivery_id)

    def prune(self, endpoint: str, before: datetime) -> int:
        """Delete ``endpoint``'s deliveries delivered before ``before``; returns how many."""
        d = WebhookDeliveryRow
        stmt = sa.delete(d).where(d.endpoint == endpoint, d.state == DeliveryState.DELIVERED.value,
                                  d.delivered_at < before)
        with self._sessions.begin() as session:
            return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def counts(self) -> dict[str, dict[str, int]]:
        """Endpoint -> state -> number of deliveries."""
        d = WebhookDeliveryRow
        stmt = sa.select(d.endpoint, d.state, sa.func.count()).group_by(d.endpoint, d.state)
        found: dict[str, dict[str, int]] = {}
        with self._sessions() as session:
            for endpoint, state, count in session.execute(stmt):
                found.setdefault(endpoint, {})[state] = int(count)
        return found
