"""Alarm routing and webhook deliveries: alarms.sector, shifts, webhook_deliveries.

Revision ID: r0015_integrations
Revises: r0014_procedures (depends on r0002_auth, r0009_response)
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0015_integrations"
down_revision: str | None = "r0014_procedures"
branch_labels: str | Sequence[str] | None = None
# alarms (r0009) and users (r0002) are on branches of their own
depends_on: str | Sequence[str] | None = ("r0002_auth", "r0009_response")


def _shifts() -> None:
    op.create_table(
        "shifts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_shifts_end_start", "shifts", ["end_at", "start_at"])
    op.create_index("ix_shifts_user_end", "shifts", ["user_id", "end_at"])


def _deliveries() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("endpoint", sa.String(64), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries",
                    ["endpoint", "state", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_state_created", "webhook_deliveries",
                    ["state", "created_at", "id"])


def upgrade() -> None:
    """Add the sector column, the shift rota and the webhook delivery queue."""
    with op.batch_alter_table("alarms") as batch:
        batch.add_column(sa.Column("sector", sa.String(64), nullable=True))
    _shifts()
    _deliveries()


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_webhook_deliveries_state_created", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_shifts_user_end", table_name="shifts")
    op.drop_index("ix_shifts_end_start", table_name="shifts")
    op.drop_table("shifts")
    with op.batch_alter_table("alarms") as batch:
        batch.drop_column("sector")

