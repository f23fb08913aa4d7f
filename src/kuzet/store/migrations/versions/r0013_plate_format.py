"""Add plate_reads.plate_format: the named plate format a read fits (issue #18).

Revision ID: r0013_plate_format
Revises: r0008_plates (a branch of its own, like every migration here)
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0013_plate_format"
down_revision: str | None = "r0008_plates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the nullable column (older reads: format unknown)."""
    with op.batch_alter_table("plate_reads") as batch:
        batch.add_column(sa.Column("plate_format", sa.String(64), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("plate_reads") as batch:
        batch.drop_column("plate_format")
