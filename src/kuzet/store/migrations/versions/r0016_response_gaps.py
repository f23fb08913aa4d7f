"""Response gaps (issue 15): incident sectors, shift-end re-routing, notices of alarms, indexes.

- ``incidents.sector``: the sector of an incident's alarms (filtered by the
  incidents API), filled for existing incidents from their alarms' sectors;
- ``shifts.rerouted_at``: when the end of a shift was handled (its sectors'
  waiting alarms re-routed); shifts that ended before this migration count as
  handled, so an upgrade does not re-route a whole past rota at once;
- ``supervisor_notices.incident_id`` may be null (a notice about an alarm);
- indexes for what the queue, history, escalation and handover pages sort or
  filter by without one: ``alarms.opened_at`` (history, statistics, handover),
  the resolve limit scan, an owner's alarms, the sector filter of the queue,
  ``alarm_history.at`` (handover workload), incidents by sector, notices by alarm.

Revision ID: r0016_response_gaps
Revises: r0020_track_decisions
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0016_response_gaps"
down_revision: str | None = "r0020_track_decisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_alarms_opened", "alarms", ["opened_at", "id"]),
    ("ix_alarms_resolve_due", "alarms", ["resolve_breached_at", "resolve_due_at"]),
    ("ix_alarms_owner_state", "alarms", ["owner_id", "state"]),
    ("ix_alarms_sector_queue", "alarms", ["sector", "queue_rank", "priority_rank", "opened_at"]),
    ("ix_alarm_history_at", "alarm_history", ["at"]),
    ("ix_incidents_sector_opened", "incidents", ["sector", "opened_at"]),
    ("ix_supervisor_notices_alarm", "supervisor_notices", ["alarm_id"]),
)
BACKFILL = sa.text(
    "UPDATE incidents SET sector = (SELECT a.sector FROM alarms a WHERE a.incident_id = "
    "incidents.id AND a.sector IS NOT NULL GROUP BY a.sector "
    "ORDER BY COUNT(*) DESC, MIN(a.opened_at), a.sector LIMIT 1)"
)


def upgrade() -> None:
    """Add the columns, fill them for existing rows, and create the indexes."""
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("sector", sa.String(64), nullable=True))
    with op.batch_alter_table("shifts") as batch:
        batch.add_column(sa.Column("rerouted_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("supervisor_notices") as batch:
        batch.alter_column("incident_id", existing_type=sa.String(32), nullable=True)
    op.execute(BACKFILL)
    shifts = sa.table("shifts", sa.column("end_at", UTCDateTime()),
                      sa.column("rerouted_at", UTCDateTime()))
    now = datetime.now(UTC)
    op.execute(shifts.update().where(shifts.c.end_at <= now).values(rerouted_at=shifts.c.end_at))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    """Drop the indexes and columns again (notices without an incident are deleted)."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.execute(sa.text("DELETE FROM supervisor_notices WHERE incident_id IS NULL"))
    with op.batch_alter_table("supervisor_notices") as batch:
        batch.alter_column("incident_id", existing_type=sa.String(32), nullable=False)
    with op.batch_alter_table("shifts") as batch:
        batch.drop_column("rerouted_at")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("sector")
