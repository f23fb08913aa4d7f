"""Citizen reports, refusal counts and published transparency reports.

Revision ID: r0019_citizen_reports
Revises: r0016_response_gaps
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0019_citizen_reports"
down_revision: str | None = "r0016_response_gaps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "citizen_reports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status_sha256", sa.String(64), nullable=False),
        sa.Column("alarm_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("location_source", sa.String(16), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("device_sha256", sa.String(64), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("cameras", sa.JSON(), nullable=False),
    )
    op.create_index("ix_citizen_reports_category_occurred", "citizen_reports",
                    ["category", "occurred_at"])
    op.create_index("ix_citizen_reports_alarm", "citizen_reports", ["alarm_id"])
    op.create_index("ix_citizen_reports_received", "citizen_reports", ["received_at"])
    op.create_table(
        "citizen_rejections",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("reason", sa.String(32), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "transparency_reports",
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.String(128), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("transparency_reports")
    op.drop_table("citizen_rejections")
    for name in ("ix_citizen_reports_received", "ix_citizen_reports_alarm",
                 "ix_citizen_reports_category_occurred"):
        op.drop_index(name, table_name="citizen_reports")
    op.drop_table("citizen_reports")
