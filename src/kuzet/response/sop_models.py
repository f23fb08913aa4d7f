"""Tables of procedures and supervisor notices (migration ``r0014_procedures``).

``incident_procedures`` pins the procedure an incident follows: a copy of its
definition as it was when the incident started, so a later config change
leaves the incident's checklist as it was. The steps taken are incident
history rows (``step_done``, ``step_skip``). ``supervisor_notices`` holds what a
supervisor must see, e.g. a skipped step, until one acknowledges it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.response.models import BigId
from kuzet.store.models import Base


class IncidentProcedureRow(Base):
    """The procedure (type, version and a copy of its steps) one incident follows."""

    __tablename__ = "incident_procedures"

    incident_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("incidents.id"), primary_key=True
    )
    type: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int] = mapped_column(sa.Integer)
    digest: Mapped[str] = mapped_column(sa.String(64))
    definition: Mapped[dict[str, Any]]
    pinned_at: Mapped[datetime]
    pinned_by: Mapped[str | None] = mapped_column(sa.String(128))


class NoticeRow(Base):
    """Something a supervisor must see (a skipped step ...), until acknowledged."""

    __tablename__ = "supervisor_notices"
    __table_args__ = (
        sa.Index("ix_supervisor_notices_at", "at", "id"),
        sa.Index("ix_supervisor_notices_incident", "incident_id"),
        sa.Index("ix_supervisor_notices_alarm", "alarm_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    incident_id: Mapped[str | None] = mapped_column(  # r0016: null for an alarm's notice
        sa.String(32), sa.ForeignKey("incidents.id"))
    alarm_id: Mapped[str | None] = mapped_column(sa.String(64))
    text: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]]
    actor: Mapped[str | None] = mapped_column(sa.String(128))
    actor_id: Mapped[str | None] = mapped_column(sa.String(32))
    at: Mapped[datetime]
    acknowledged_by: Mapped[str | None] = mapped_column(sa.String(128))
    acknowledged_at: Mapped[datetime | None]
