"""Tables of the field-officer app (migration ``r0018_field_app``).

``field_duty`` records who is on duty in which unit (a call sign an operator
dispatches to) from when to when; ``field_positions`` the positions an officer on
duty chose to share (purged by the retention job, data class ``field_positions``);
``field_photos`` the photos taken in the field, linked to an alarm and its incident.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.models import Base

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class DutyRow(Base):
    """One user on duty in one unit; ``ended_at`` None while on duty."""

    __tablename__ = "field_duty"
    __table_args__ = (sa.Index("ix_field_duty_user_ended", "user_id", "ended_at"),
                      sa.Index("ix_field_duty_unit", "unit", "started_at"))

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(32))
    username: Mapped[str] = mapped_column(sa.String(128))
    unit: Mapped[str] = mapped_column(sa.String(32))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class PositionRow(Base):
    """One shared position of an officer on duty (WGS 84)."""

    __tablename__ = "field_positions"
    __table_args__ = (sa.Index("ix_field_positions_unit_at", "unit", "at"),
                      sa.Index("ix_field_positions_at", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(sa.String(32))
    username: Mapped[str] = mapped_column(sa.String(128))
    unit: Mapped[str] = mapped_column(sa.String(32))
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)
    accuracy_m: Mapped[float | None] = mapped_column(sa.Float)
    at: Mapped[datetime]


class FieldPhotoRow(Base):
    """A photo from the field: evidence of an alarm (and of its incident, if any)."""

    __tablename__ = "field_photos"
    __table_args__ = (sa.Index("ix_field_photos_incident", "incident_id", "at"),
                      sa.Index("ix_field_photos_alarm", "alarm_id", "at"))

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    alarm_id: Mapped[str] = mapped_column(sa.String(64))
    incident_id: Mapped[str | None] = mapped_column(sa.String(32))
    camera_id: Mapped[str] = mapped_column(sa.String(128))
    media_key: Mapped[str] = mapped_column(sa.String(512))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    upload_sha256: Mapped[str] = mapped_column(sa.String(64))
    upload_type: Mapped[str] = mapped_column(sa.String(64))
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    unit: Mapped[str | None] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.Text)
    uploaded_by: Mapped[str] = mapped_column(sa.String(128))
    at: Mapped[datetime]
