"""Line counts per minute: ``line_counts``.

Revision ID: r0006_counts
Revises: 0001_events
Create Date: 2025-01-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0006_counts"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``line_counts`` with its unique key and time index."""
    op.create_table(
        "line_counts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("line", sa.String(128), nullable=False),
        sa.Column("minute", UTCDateTime(), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint(
            "camera_id", "line", "minute", "label", "direction", name="uq_line_counts_key"
        ),
    )
    op.create_index("ix_line_counts_camera_minute", "line_counts", ["camera_id", "minute"])


def downgrade() -> None:
    """Drop ``line_counts``."""
    op.drop_index("ix_line_counts_camera_minute", table_name="line_counts")
    op.drop_table("line_counts")
