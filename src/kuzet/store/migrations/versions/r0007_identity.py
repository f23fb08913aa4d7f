"""Face identity: watchlists, entries, photos, matches, confirmations, sightings.

Revision ID: r0007_identity
Revises: 0001_events
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kuzet.store.models import UTCDateTime

revision: str = "r0007_identity"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(32), primary_key=True)


def _governance() -> list[sa.Column[object]]:
    return [
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("authority", sa.String(200), nullable=False),
        sa.Column("case_ref", sa.String(200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    ]


def _lists() -> None:
    op.create_table(
        "watchlists",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "watchlist_entries",
        _id(),
        sa.Column("watchlist_id", sa.String(32), sa.ForeignKey("watchlists.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        *_governance(),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_watchlist_entries_list", "watchlist_entries", ["watchlist_id"])
    op.create_table(
        "entry_photos",
        _id(),
        sa.Column(
            "entry_id", sa.String(32), sa.ForeignKey("watchlist_entries.id"), nullable=False
        ),
        sa.Column("media_key", sa.String(512), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("quality", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_entry_photos_entry", "entry_photos", ["entry_id"])


def _matches() -> None:
    strings = [("event_id", 64), ("camera_id", 128)]
    op.create_table(
        "face_matches",
        _id(),
        *[sa.Column(name, sa.String(size), nullable=False) for name, size in strings],
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("watchlist_id", sa.String(32), nullable=False),
        sa.Column("watchlist_name", sa.String(200), nullable=False),
        sa.Column("watchlist_kind", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(32), nullable=False),
        sa.Column("entry_name", sa.String(200), nullable=False),
        sa.Column("photo_id", sa.String(32), nullable=False),
        *[sa.Column(n, sa.Float(), nullable=False) for n in ("score", "threshold", "quality")],
        sa.Column("probe_key", sa.String(512), nullable=True),
        sa.Column("probe_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("matched_at", UTCDateTime(), nullable=False),
        sa.Column("frame_ts", sa.Float(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_face_matches_status_at", "face_matches", ["status", "matched_at"])
    op.create_index("ix_face_matches_camera_at", "face_matches", ["camera_id", "matched_at"])
    op.create_table(
        "match_confirmations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("match_id", sa.String(32), sa.ForeignKey("face_matches.id"), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("match_id", "user_id", "decision", name="uq_match_confirmations"),
    )


def _sightings() -> None:
    op.create_table(
        "face_sightings",
        _id(),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.Column("frame_ts", sa.Float(), nullable=False),
        sa.Column("quality", sa.Float(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("crop_key", sa.String(512), nullable=True),
        sa.Column("crop_sha256", sa.String(64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_face_sightings_seen", "face_sightings", ["seen_at"])
    op.create_index("ix_face_sightings_expires", "face_sightings", ["expires_at"])


def upgrade() -> None:
    """Create the identity tables."""
    _lists()
    _matches()
    _sightings()


def downgrade() -> None:
    """Drop the identity tables (children first)."""
    for table in ("face_sightings", "match_confirmations", "face_matches", "entry_photos",
                  "watchlist_entries", "watchlists"):
        op.drop_table(table)
