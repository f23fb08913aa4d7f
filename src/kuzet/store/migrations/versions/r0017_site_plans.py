"""Site plans and camera placements: site_plans, site_plan_cameras, camera_geo.

Revision ID: r0017_site_plans
Revises: r0019_citizen_reports
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0017_site_plans"
down_revision: str | None = "r0019_citizen_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the plan, plan placement and geographic placement tables."""
    op.create_table(
        "site_plans",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("site", sa.String(128), nullable=True),
        sa.Column("media_key", sa.String(256), nullable=False),
        sa.Column("media_type", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "site_plan_cameras",
        sa.Column("plan_id", sa.String(32),
                  sa.ForeignKey("site_plans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("camera_id", sa.String(128), primary_key=True),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("heading", sa.Float(), nullable=False),
        sa.Column("fov", sa.Float(), nullable=False),
        sa.Column("range", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "camera_geo",
        sa.Column("camera_id", sa.String(128), primary_key=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("heading", sa.Float(), nullable=False),
        sa.Column("fov", sa.Float(), nullable=False),
        sa.Column("range_m", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("camera_geo")
    op.drop_table("site_plan_cameras")
    op.drop_table("site_plans")
