"""Create the unmask_grants table (time-limited, audited unmasking).

Revision ID: r0005_unmask
Revises: 0001_events
Create Date: 2025-01-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0005_unmask"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``unmask_grants`` and its lookup index."""
    op.create_table(
        "unmask_grants",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("camera_id", sa.String(128), nullable=True),
        sa.Column("event_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
    )
    op.create_index("ix_unmask_grants_user_expires", "unmask_grants", ["user_id", "expires_at"])


def downgrade() -> None:
    """Drop ``unmask_grants``."""
    op.drop_index("ix_unmask_grants_user_expires", table_name="unmask_grants")
    op.drop_table("unmask_grants")
