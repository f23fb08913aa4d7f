"""Track-level decisions: plate_reads.looks and face_matches.looks (issue #18).

A plate read is now the decision of a whole vehicle track (its reads combined),
and a face match the decision of a person track (its best faces' embeddings
combined); ``looks`` is how many reads or face embeddings it combines.

Revision ID: r0020_track_decisions
Revises: r0018_field_app
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0020_track_decisions"
down_revision: str | None = "r0018_field_app"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "r0007_identity"  # face_matches


def upgrade() -> None:
    """Add the columns; older rows were decided from one look."""
    for table in ("plate_reads", "face_matches"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("looks", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    """Drop the columns."""
    for table in ("plate_reads", "face_matches"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("looks")
