"""Published transparency reports (table ``transparency_reports``, migration r0019)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from kuzet.store.models import Base


class PublishedReportRow(Base):
    """A transparency report the auditor published (served publicly exactly as it was)."""

    __tablename__ = "transparency_reports"

    period: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(sa.String(128))
    body: Mapped[dict[str, Any]]
    html: Mapped[str] = mapped_column(sa.Text)


class PublishedReports:
    """Publish (replace) and read published reports."""

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def publish(self, row: PublishedReportRow) -> None:
        """Publish ``row.period``'s report, replacing an earlier publication of it."""
        with self._sessions.begin() as session:
            session.merge(row)

    def get(self, period: str) -> PublishedReportRow | None:
        """The published report of ``period``, or None."""
        with self._sessions() as session:
            return session.get(PublishedReportRow, period)

    def periods(self) -> list[str]:
        """Published periods, newest first."""
        with self._sessions() as session:
            stmt = sa.select(PublishedReportRow.period).order_by(PublishedReportRow.period.desc())
            return list(session.scalars(stmt))
