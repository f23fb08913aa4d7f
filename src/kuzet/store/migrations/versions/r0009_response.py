"""Alarm handling: alarms, their history, incidents and theirs (``kuzet.response``).

Revision ID: r0009_response
Revises: 0001_events
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0009_response"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _times(*names: str, nullable: bool) -> list[sa.Column[object]]:
    return [sa.Column(name, UTCDateTime(), nullable=nullable) for name in names]


def _strings(*specs: tuple[str, int], nullable: bool) -> list[sa.Column[object]]:
    return [sa.Column(name, sa.String(size), nullable=nullable) for name, size in specs]


def _incidents() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(32), primary_key=True),
        *_strings(("type", 64), ("priority", 16), ("state", 16), ("source", 16), nullable=False),
        *_strings(("owner", 128), ("rule", 128), ("merged_into", 32), ("created_by", 128),
                  nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("cameras", sa.JSON(), nullable=False),
        *_times("opened_at", "updated_at", nullable=False),
        *_times("closed_at", "last_alarm_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_incidents_opened", "incidents", ["opened_at", "id"])
    op.create_index("ix_incidents_state_opened", "incidents", ["state", "opened_at"])


def _alarms() -> None:
    op.create_table(
        "alarms",
        sa.Column("id", sa.String(64), primary_key=True),
        *_strings(("camera_id", 128), ("kind", 64), ("rule_id", 128), ("severity", 16),
                  ("priority", 16), ("state", 16), ("queue", 16), nullable=False),
        sa.Column("priority_rank", sa.Integer(), nullable=False),
        sa.Column("queue_rank", sa.Integer(), nullable=False),
        *_strings(("owner", 128), ("owner_id", 32), ("unit", 128), ("verdict", 16),
                  nullable=True),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=True),
        *_times("event_at", "opened_at", "updated_at", nullable=False),
        *_times("acknowledged_at", "resolved_at", "ack_due_at", "resolve_due_at",
                "ack_breached_at", "resolve_breached_at", nullable=True),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_alarms_queue", "alarms",
                    ["queue_rank", "priority_rank", "opened_at", "id"])
    op.create_index("ix_alarms_state_ack_due", "alarms", ["state", "ack_due_at"])
    op.create_index("ix_alarms_camera_opened", "alarms", ["camera_id", "opened_at"])
    op.create_index("ix_alarms_incident", "alarms", ["incident_id"])


def _histories() -> None:
    op.create_table(
        "alarm_history",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("alarm_id", sa.String(64), sa.ForeignKey("alarms.id"), nullable=False),
        *_strings(("action", 16), ("to_state", 16), nullable=False),
        *_strings(("from_state", 16), ("actor", 128), ("actor_id", 32), nullable=True),
        *_times("at", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_alarm_history_alarm", "alarm_history", ["alarm_id", "id"])
    op.create_table(
        "incident_history",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=False),
        *_strings(("action", 16), nullable=False),
        *_strings(("actor", 128), ("actor_id", 32), ("alarm_id", 64), ("camera_id", 128),
                  nullable=True),
        *_times("at", nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_incident_history_incident", "incident_history", ["incident_id", "id"])


def upgrade() -> None:
    """Create the alarm and incident tables."""
    _incidents()
    _alarms()
    _histories()


def downgrade() -> None:
    """Drop them (children first)."""
    for table in ("incident_history", "alarm_history", "alarms", "incidents"):
        op.drop_table(table)
