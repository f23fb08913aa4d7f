"""SQLAlchemy 2 table models for the store.

Every datetime column uses :class:`UTCDateTime`: values are converted to UTC on
the way in and come back timezone-aware (UTC) on every backend, so SQLite (which
has no time zones) and PostgreSQL (``timestamptz``) behave the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A ``DateTime(timezone=True)`` that always stores and returns UTC.

    Naive datetimes are taken to be UTC already. On SQLite the value is stored
    without an offset so that text comparison orders times correctly.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to UTC before writing."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every Kuzet table."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON(), list[Any]: sa.JSON()}


class EventRow(Base):
    """One event, upserted by id as its lifecycle advances (open -> update -> close)."""

    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_camera_started", "camera_id", "started_at"),
        sa.Index("ix_events_kind_started", "kind", "started_at"),
        sa.Index("ix_events_started_id", "started_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    camera_id: Mapped[str] = mapped_column(sa.String(128))
    kind: Mapped[str] = mapped_column(sa.String(64))
    rule_id: Mapped[str] = mapped_column(sa.String(128))
    severity: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(8))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    track_ids: Mapped[list[Any]]
    labels: Mapped[list[Any]]
    attrs: Mapped[dict[str, Any]]
    snapshot_key: Mapped[str | None] = mapped_column(sa.String(512))
    snapshot_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    frame_ts: Mapped[float] = mapped_column(sa.Float, default=0.0)
    # Legal hold (migration r0004_legal_hold): a held event and its media are never purged.
    legal_hold: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    hold_reason: Mapped[str | None] = mapped_column(sa.Text)
    hold_by: Mapped[str | None] = mapped_column(sa.String(128))
    hold_at: Mapped[datetime | None]


class AuditRow(Base):
    """One audit record; append-only, hash-chained (``privacy.audit``)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_at", "at"),
        sa.Index("ix_audit_log_actor_seq", "actor", "seq"),
        sa.Index("ix_audit_log_action_seq", "action", "seq"),
    )

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(sa.String(128))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(128))
    camera_id: Mapped[str | None] = mapped_column(sa.String(128))
    target: Mapped[str | None] = mapped_column(sa.String(512))
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditHeadRow(Base):
    """The single row (id 1) naming the chain's last record; appends lock it first."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditCheckpointRow(Base):
    """A signed (seq, hash) of the chain; the oldest one anchors a pruned chain."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime]
    signature: Mapped[str] = mapped_column(sa.String(128))


class AppliedWriteRow(Base):
    """Key of an outbox entry applied to the store (``kuzet.store.outbox``).

    Written in the same transaction as the entry's rows, so a replayed entry
    is recognised and skipped.
    """

    __tablename__ = "applied_writes"
    __table_args__ = (sa.Index("ix_applied_writes_at", "at"),)

    key: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    at: Mapped[datetime]


class LineCountRow(Base):
    """Crossings of one line in one UTC minute by one class in one direction.

    Increments for the same key are added (see ``kuzet.store.counts.CountRepo``).
    """

    __tablename__ = "line_counts"
    __table_args__ = (
        sa.UniqueConstraint(
            "camera_id", "line", "minute", "label", "direction", name="uq_line_counts_key"
        ),
        sa.Index("ix_line_counts_camera_minute", "camera_id", "minute"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(sa.String(128))
    line: Mapped[str] = mapped_column(sa.String(128))
    minute: Mapped[datetime]
    label: Mapped[str] = mapped_column(sa.String(64))
    direction: Mapped[str] = mapped_column(sa.String(8))
    count: Mapped[int] = mapped_column(sa.Integer, default=0)


# Authentication (migration r0002_auth; used through kuzet.privacy.auth). Secrets are
# never stored: passwords as argon2id hashes, token and session ids as SHA-256 digests.


class UserRow(Base):
    """A local or OIDC-provisioned user; ``cameras``/``sites`` None = all."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(128), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(32))
    cameras: Mapped[list[Any] | None] = mapped_column(sa.JSON())
    sites: Mapped[list[Any] | None] = mapped_column(sa.JSON())
    disabled: Mapped[bool] = mapped_column(sa.Boolean(), default=False)
    failed_count: Mapped[int] = mapped_column(sa.Integer(), default=0)
    locked_until: Mapped[datetime | None]
    oidc_subject: Mapped[str | None] = mapped_column(sa.String(512), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApiTokenRow(Base):
    """A bearer token: scoped to a subset of its user's permissions."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.Index("ix_api_tokens_user", "user_id"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(sa.String(128))
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column(sa.JSON())
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class SessionRow(Base):
    """A console session: revocable, with idle and absolute expiry."""

    __tablename__ = "sessions"
    __table_args__ = (sa.Index("ix_sessions_user", "user_id"),)

    id_sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("users.id"))
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


# Licence-plate hotlists and reads (migration r0008_plates; used through kuzet.identity).


class HotlistRow(Base):
    """A named hotlist (stolen, wanted, amber ...) with a default priority (1 = highest)."""

    __tablename__ = "hotlists"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(64))
    priority: Mapped[int] = mapped_column(sa.Integer)
    created_by: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime]


class HotlistEntryRow(Base):
    """A plate or wildcard pattern on a hotlist, with its governance fields."""

    __tablename__ = "hotlist_entries"
    __table_args__ = (sa.Index("ix_hotlist_entries_status_expires", "status", "expires_at"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    hotlist_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("hotlists.id"))
    plate: Mapped[str] = mapped_column(sa.String(32))
    match: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text)
    priority: Mapped[int] = mapped_column(sa.Integer)
    legal_basis: Mapped[str] = mapped_column(sa.Text)
    authority: Mapped[str | None] = mapped_column(sa.String(256))
    case_ref: Mapped[str | None] = mapped_column(sa.String(128))
    owner: Mapped[str] = mapped_column(sa.String(128))
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(sa.String(16))
    created_by: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PlateReadRow(Base):
    """One plate read by a camera (purged after ``retention.plate_reads`` days)."""

    __tablename__ = "plate_reads"
    __table_args__ = (
        sa.Index("ix_plate_reads_camera_at", "camera_id", "at"),
        sa.Index("ix_plate_reads_text", "text"),
        sa.Index("ix_plate_reads_at", "at"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    camera_id: Mapped[str] = mapped_column(sa.String(128))
    at: Mapped[datetime]
    frame_ts: Mapped[float] = mapped_column(sa.Float)
    text: Mapped[str] = mapped_column(sa.String(32))
    confidence: Mapped[float] = mapped_column(sa.Float)
    country: Mapped[str | None] = mapped_column(sa.String(8))
    crop_key: Mapped[str | None] = mapped_column(sa.String(512))
    vehicle_class: Mapped[str] = mapped_column(sa.String(32))
    track_id: Mapped[int] = mapped_column(sa.Integer)
    final: Mapped[bool] = mapped_column(sa.Boolean)
    plate_format: Mapped[str | None] = mapped_column(sa.String(64))  # r0013_plate_format
    looks: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")  # r0020


class PlateHitRow(Base):
    """A read that matched a hotlist entry, and the ``plate_hit`` event it raised."""

    __tablename__ = "plate_hits"
    __table_args__ = (sa.Index("ix_plate_hits_read", "read_id"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    read_id: Mapped[str] = mapped_column(sa.String(32))
    entry_id: Mapped[str] = mapped_column(sa.String(32))
    distance: Mapped[float] = mapped_column(sa.Float)
    event_id: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime]


# Recorded video (migration r0011_recordings; used through kuzet.record).
class SegmentRow(Base):
    """One closed recording segment of a camera (an MP4 file in the media store)."""

    __tablename__ = "recording_segments"
    __table_args__ = (
        sa.Index("ix_recording_segments_camera_start", "camera_id", "start"),
        sa.Index("ix_recording_segments_start", "start"),
    )

    key: Mapped[str] = mapped_column(sa.String(512), primary_key=True)
    camera_id: Mapped[str] = mapped_column(sa.String(128))
    start: Mapped[datetime]
    end: Mapped[datetime]
    size: Mapped[int] = mapped_column(sa.BigInteger)
    codec: Mapped[str] = mapped_column(sa.String(16))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    transcoded: Mapped[bool] = mapped_column(sa.Boolean, default=False)
