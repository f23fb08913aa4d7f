"""Tables of verdict feedback (migration ``r0012_feedback``).

``rule_flags`` holds the rules whose precision is under the floor now (a row is
removed when the rule recovers; both moves are audited). ``handover_notes`` holds
the notes outgoing operators write for the next shift.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.models import Base

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class RuleFlagRow(Base):
    """A rule flagged to the admin: its precision fell under the floor."""

    __tablename__ = "rule_flags"

    rule_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    precision: Mapped[float] = mapped_column(sa.Float)
    decided: Mapped[int] = mapped_column(sa.Integer)
    floor: Mapped[float] = mapped_column(sa.Float)
    flagged_at: Mapped[datetime]
    checked_at: Mapped[datetime]


class HandoverNoteRow(Base):
    """A free-text note for the next shift (audited as ``handover.note``)."""

    __tablename__ = "handover_notes"
    __table_args__ = (sa.Index("ix_handover_notes_written", "written_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    author: Mapped[str] = mapped_column(sa.String(128))
    author_id: Mapped[str | None] = mapped_column(sa.String(32))
    written_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(sa.Text)
