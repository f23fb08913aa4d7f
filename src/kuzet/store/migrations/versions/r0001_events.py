"""Create the events table.

Revision ID: 0001_events
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_events"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``events`` and its indexes."""
    op.create_table(
        "events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(128), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("track_ids", sa.JSON(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("snapshot_key", sa.String(512), nullable=True),
        sa.Column("snapshot_sha256", sa.String(64), nullable=True),
        sa.Column("frame_ts", sa.Float(), nullable=False),
    )
    op.create_index("ix_events_camera_started", "events", ["camera_id", "started_at"])
    op.create_index("ix_events_kind_started", "events", ["kind", "started_at"])
    op.create_index("ix_events_started_id", "events", ["started_at", "id"])


def downgrade() -> None:
    """Drop ``events``."""
    op.drop_index("ix_events_started_id", table_name="events")
    op.drop_index("ix_events_kind_started", table_name="events")
    op.drop_index("ix_events_camera_started", table_name="events")
    op.drop_table("events")
