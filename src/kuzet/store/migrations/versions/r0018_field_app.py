"""Field-officer app: field_duty, field_positions, field_photos.

Revision ID: r0018_field_app
Revises: r0015_integrations
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0018_field_app"
down_revision: str | None = "r0015_integrations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _duty() -> None:
    op.create_table(
        "field_duty",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_field_duty_user_ended", "field_duty", ["user_id", "ended_at"])
    op.create_index("ix_field_duty_unit", "field_duty", ["unit", "started_at"])


def _positions() -> None:
    op.create_table(
        "field_positions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_field_positions_unit_at", "field_positions", ["unit", "at"])
    op.create_index("ix_field_positions_at", "field_positions", ["at"])


def _photos() -> None:
    op.create_table(
        "field_photos",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("alarm_id", sa.String(64), nullable=False),
        sa.Column("incident_id", sa.String(32), nullable=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("media_key", sa.String(512), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("upload_sha256", sa.String(64), nullable=False),
        sa.Column("upload_type", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("uploaded_by", sa.String(128), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_field_photos_incident", "field_photos", ["incident_id", "at"])
    op.create_index("ix_field_photos_alarm", "field_photos", ["alarm_id", "at"])


def upgrade() -> None:
    """Create the field-app tables."""
    _duty()
    _positions()
    _photos()


def downgrade() -> None:
    """Drop them."""
    for table in ("field_photos", "field_positions", "field_duty"):
        op.drop_table(table)
