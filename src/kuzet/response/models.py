"""Tables of alarm handling (migration ``r0009_response``).

``alarms`` holds each alarm's current state; ``alarm_history`` one row per thing
that happened to it (who, when, why, from, to). ``incidents`` and
``incident_history`` do the same for incidents (``r0016_response_gaps`` adds
``incidents.sector`` and the indexes the queue and history pages need). Every
change of an alarm is a compare-and-set on its ``version`` (see :mod:`kuzet.response.alarms`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.models import Base

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class IncidentRow(Base):
    """One situation: alarms about it, by hand or by correlation, and where it is."""

    __tablename__ = "incidents"
    __table_args__ = (sa.Index("ix_incidents_opened", "opened_at", "id"),
                      sa.Index("ix_incidents_state_opened", "state", "opened_at"),
                      sa.Index("ix_incidents_sector_opened", "sector", "opened_at"))

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(64))
    priority: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(16))
    owner: Mapped[str | None] = mapped_column(sa.String(128))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    location: Mapped[str | None] = mapped_column(sa.Text)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    cameras: Mapped[list[Any]]
    sector: Mapped[str | None] = mapped_column(sa.String(64))  # r0016: from its alarms' cameras
    source: Mapped[str] = mapped_column(sa.String(16))
    rule: Mapped[str | None] = mapped_column(sa.String(128))
    merged_into: Mapped[str | None] = mapped_column(sa.String(32))
    created_by: Mapped[str | None] = mapped_column(sa.String(128))
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    last_alarm_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(sa.Integer, default=1)


class AlarmRow(Base):
    """An alarm: one per alert-grade event; ``id`` is the event's id."""

    __tablename__ = "alarms"
    __table_args__ = (
        sa.Index("ix_alarms_queue", "queue_rank", "priority_rank", "opened_at", "id"),
        sa.Index("ix_alarms_state_ack_due", "state", "ack_due_at"),
        sa.Index("ix_alarms_camera_opened", "camera_id", "opened_at"),
        sa.Index("ix_alarms_incident", "incident_id"),
        sa.Index("ix_alarms_opened", "opened_at", "id"),  # r0016: history, statistics
        sa.Index("ix_alarms_resolve_due", "resolve_breached_at", "resolve_due_at"),
        sa.Index("ix_alarms_owner_state", "owner_id", "state"),
        sa.Index("ix_alarms_sector_queue", "sector", "queue_rank", "priority_rank", "opened_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    camera_id: Mapped[str] = mapped_column(sa.String(128))
    kind: Mapped[str] = mapped_column(sa.String(64))
    rule_id: Mapped[str] = mapped_column(sa.String(128))
    severity: Mapped[str] = mapped_column(sa.String(16))
    priority: Mapped[str] = mapped_column(sa.String(16))
    priority_rank: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[str] = mapped_column(sa.String(16))
    queue_rank: Mapped[int] = mapped_column(sa.Integer)
    queue: Mapped[str] = mapped_column(sa.String(16))
    sector: Mapped[str | None] = mapped_column(sa.String(64))  # r0015: routing sector
    owner: Mapped[str | None] = mapped_column(sa.String(128))
    owner_id: Mapped[str | None] = mapped_column(sa.String(32))
    unit: Mapped[str | None] = mapped_column(sa.String(128))
    verdict: Mapped[str | None] = mapped_column(sa.String(16))
    incident_id: Mapped[str | None] = mapped_column(sa.String(32), sa.ForeignKey("incidents.id"))
    event_at: Mapped[datetime]
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    ack_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    ack_breached_at: Mapped[datetime | None]
    resolve_breached_at: Mapped[datetime | None]
    attrs: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(sa.Integer, default=1)


class AlarmHistoryRow(Base):
    """One thing that happened to an alarm; ``actor`` None = the server itself."""

    __tablename__ = "alarm_history"
    __table_args__ = (sa.Index("ix_alarm_history_alarm", "alarm_id", "id"),
                      sa.Index("ix_alarm_history_at", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alarm_id: Mapped[str] = mapped_column(sa.String(64), sa.ForeignKey("alarms.id"))
    action: Mapped[str] = mapped_column(sa.String(16))
    from_state: Mapped[str | None] = mapped_column(sa.String(16))
    to_state: Mapped[str] = mapped_column(sa.String(16))
    actor: Mapped[str | None] = mapped_column(sa.String(128))
    actor_id: Mapped[str | None] = mapped_column(sa.String(32))
    at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]]


class IncidentHistoryRow(Base):
    """One thing that happened to an incident (created, alarm linked, comment ...)."""

    __tablename__ = "incident_history"
    __table_args__ = (sa.Index("ix_incident_history_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("incidents.id"))
    action: Mapped[str] = mapped_column(sa.String(16))
    actor: Mapped[str | None] = mapped_column(sa.String(128))
    actor_id: Mapped[str | None] = mapped_column(sa.String(32))
    at: Mapped[datetime]
    text: Mapped[str | None] = mapped_column(sa.Text)
    alarm_id: Mapped[str | None] = mapped_column(sa.String(64))
    camera_id: Mapped[str | None] = mapped_column(sa.String(128))
    details: Mapped[dict[str, Any]]
