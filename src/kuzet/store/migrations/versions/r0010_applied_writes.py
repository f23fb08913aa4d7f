"""Keys of outbox entries applied to the store: ``applied_writes`` (issue 14).

Line counts and plate reads are not idempotent by themselves; their outbox key
is recorded in the same transaction, so an entry applied again after a crash
is stored once.

Revision ID: r0010_applied_writes
Revises: 0001_events
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0010_applied_writes"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``applied_writes``."""
    op.create_table(
        "applied_writes",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_applied_writes_at", "applied_writes", ["at"])


def downgrade() -> None:
    """Drop ``applied_writes``."""
    op.drop_index("ix_applied_writes_at", table_name="applied_writes")
    op.drop_table("applied_writes")
