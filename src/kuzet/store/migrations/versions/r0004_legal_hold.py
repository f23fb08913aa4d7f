"""Legal hold on events: ``legal_hold``, ``hold_reason``, ``hold_by``, ``hold_at``.

Revision ID: r0004_legal_hold
Revises: 0001_events
Create Date: 2025-01-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0004_legal_hold"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the hold columns (existing events are not held)."""
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("hold_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("hold_by", sa.String(128), nullable=True))
        batch.add_column(sa.Column("hold_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop the hold columns."""
    with op.batch_alter_table("events") as batch:
        batch.drop_column("hold_at")
        batch.drop_column("hold_by")
        batch.drop_column("hold_reason")
        batch.drop_column("legal_hold")
