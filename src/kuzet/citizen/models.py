"""Tables of citizen reports (migration ``r0019_citizen_reports``).

``citizen_reports`` holds what a citizen sent (the personal parts, contact and
photos' originals, stay here and are shown only to operators);
``citizen_rejections`` counts refused submissions per day and reason.
(The same migration adds ``transparency_reports``: ``kuzet.transparency.published``.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.models import Base


class CitizenReportRow(Base):
    """One accepted citizen report; ``alarm_id`` is its event's (and alarm's) id."""

    __tablename__ = "citizen_reports"
    __table_args__ = (
        sa.Index("ix_citizen_reports_category_occurred", "category", "occurred_at"),
        sa.Index("ix_citizen_reports_alarm", "alarm_id"),
        sa.Index("ix_citizen_reports_received", "received_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    status_sha256: Mapped[str] = mapped_column(sa.String(64))
    alarm_id: Mapped[str] = mapped_column(sa.String(64))
    category: Mapped[str] = mapped_column(sa.String(32))
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    place: Mapped[str | None] = mapped_column(sa.Text)
    location_source: Mapped[str] = mapped_column(sa.String(16))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(sa.Text)
    contact: Mapped[str | None] = mapped_column(sa.Text)
    device_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    photos: Mapped[list[Any]]
    cameras: Mapped[list[Any]]


class RejectionCountRow(Base):
    """Refused submissions of one UTC day for one reason."""

    __tablename__ = "citizen_rejections"

    day: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer)

