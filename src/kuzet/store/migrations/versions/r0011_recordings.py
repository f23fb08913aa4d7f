"""Create recording_segments: the index of closed recording segments (issue #16).

Revision ID: r0011_recordings
Revises: r0010_applied_writes
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0011_recordings"
down_revision: str | None = "r0010_applied_writes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table and its indexes."""
    op.create_table(
        "recording_segments",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("end", UTCDateTime(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("codec", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("transcoded", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_recording_segments_camera_start", "recording_segments", ["camera_id", "start"]
    )
    op.create_index("ix_recording_segments_start", "recording_segments", ["start"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("ix_recording_segments_start", table_name="recording_segments")
    op.drop_index("ix_recording_segments_camera_start", table_name="recording_segments")
    op.drop_table("recording_segments")
