"""Procedures pinned per incident, and supervisor notices (``kuzet.response``, issue 15).

Revision ID: r0014_procedures
Revises: r0013_plate_format (and needs r0009_response)
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0014_procedures"
# After the newest migration on main at rebase time; its tables point at the
# incidents of r0009, another branch, hence depends_on (ordered on every backend).
down_revision: str | None = "r0013_plate_format"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "r0009_response"

BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    """Create ``incident_procedures`` and ``supervisor_notices``."""
    op.create_table(
        "incident_procedures",
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("pinned_at", UTCDateTime(), nullable=False),
        sa.Column("pinned_by", sa.String(128), nullable=True),
    )
    op.create_table(
        "supervisor_notices",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("alarm_id", sa.String(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=True),
        sa.Column("actor_id", sa.String(32), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_by", sa.String(128), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_supervisor_notices_at", "supervisor_notices", ["at", "id"])
    op.create_index("ix_supervisor_notices_incident", "supervisor_notices", ["incident_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_supervisor_notices_incident", table_name="supervisor_notices")
    op.drop_index("ix_supervisor_notices_at", table_name="supervisor_notices")
    op.drop_table("supervisor_notices")
    op.drop_table("incident_procedures")
