"""Verdict feedback: rule_flags (precision under the floor) and handover_notes (issue 15).

Revision ID: r0012_feedback
Revises: r0011_recordings
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0012_feedback"
down_revision: str | None = "r0011_recordings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    """Create both tables."""
    op.create_table(
        "rule_flags",
        sa.Column("rule_id", sa.String(128), primary_key=True),
        sa.Column("precision", sa.Float(), nullable=False),
        sa.Column("decided", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Float(), nullable=False),
        sa.Column("flagged_at", UTCDateTime(), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "handover_notes",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=True),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_handover_notes_written", "handover_notes", ["written_at", "id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_handover_notes_written", table_name="handover_notes")
    op.drop_table("handover_notes")
    op.drop_table("rule_flags")
