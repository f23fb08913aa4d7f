"""Create hotlists, hotlist_entries, plate_reads and plate_hits (licence plates, issue #7).

Revision ID: r0008_plates
Revises: 0001_events
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0008_plates"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _hotlists() -> None:
    op.create_table(
        "hotlists",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "hotlist_entries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("hotlist_id", sa.String(32), sa.ForeignKey("hotlists.id"), nullable=False),
        sa.Column("plate", sa.String(32), nullable=False),
        sa.Column("match", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("authority", sa.String(256), nullable=True),
        sa.Column("case_ref", sa.String(128), nullable=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_hotlist_entries_status_expires", "hotlist_entries", ["status", "expires_at"]
    )


def upgrade() -> None:
    """Create the four tables and their indexes."""
    _hotlists()
    op.create_table(
        "plate_reads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("frame_ts", sa.Float(), nullable=False),
        sa.Column("text", sa.String(32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("country", sa.String(8), nullable=True),
        sa.Column("crop_key", sa.String(512), nullable=True),
        sa.Column("vehicle_class", sa.String(32), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_plate_reads_camera_at", "plate_reads", ["camera_id", "at"])
    op.create_index("ix_plate_reads_text", "plate_reads", ["text"])
    op.create_index("ix_plate_reads_at", "plate_reads", ["at"])
    op.create_table(
        "plate_hits",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("read_id", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.String(32), nullable=False),
        sa.Column("distance", sa.Float(), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_plate_hits_read", "plate_hits", ["read_id"])


def downgrade() -> None:
    """Drop the plate tables."""
    op.drop_index("ix_plate_hits_read", table_name="plate_hits")
    op.drop_table("plate_hits")
    for name in ("ix_plate_reads_at", "ix_plate_reads_text", "ix_plate_reads_camera_at"):
        op.drop_index(name, table_name="plate_reads")
    op.drop_table("plate_reads")
    op.drop_index("ix_hotlist_entries_status_expires", table_name="hotlist_entries")
    op.drop_table("hotlist_entries")
    op.drop_table("hotlists")
