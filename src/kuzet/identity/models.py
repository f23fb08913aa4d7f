"""Tables of face identity (migration ``r0007_identity``).

Watchlists hold governed entries; each entry has enrolled photos whose dlib
embeddings are stored as float32 bytes. Matches and their confirmations form
the per-use log; face sightings exist only when a deployment retains them.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.models import Base

EMBEDDING_DIM = 128


def embedding_bytes(vector: npt.ArrayLike) -> bytes:
    """A (128,) embedding as little-endian float32 bytes.

    Raises:
        ValueError: The vector does not have 128 finite values.
    """
    arr = np.asarray(vector, dtype="<f4").reshape(-1)
    if arr.shape != (EMBEDDING_DIM,) or not np.isfinite(arr).all():
        raise ValueError(f"face embedding must be {EMBEDDING_DIM} finite floats, got {arr.shape}")
    return arr.tobytes()


def embedding_array(data: bytes) -> npt.NDArray[np.float32]:
    """Inverse of :func:`embedding_bytes`."""
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


class WatchlistRow(Base):
    """A watchlist: kind, per-list threshold (Euclidean distance)."""

    __tablename__ = "watchlists"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(16))
    threshold: Mapped[float] = mapped_column(sa.Float)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WatchlistEntryRow(Base):
    """One person on a watchlist, with the legal basis for looking for them."""

    __tablename__ = "watchlist_entries"
    __table_args__ = (sa.Index("ix_watchlist_entries_list", "watchlist_id"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    watchlist_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("watchlists.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    legal_basis: Mapped[str] = mapped_column(sa.Text)
    authority: Mapped[str] = mapped_column(sa.String(200))
    case_ref: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(sa.String(200))
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(sa.String(16))
    created_by: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class EntryPhotoRow(Base):
    """An enrolled photo of an entry and its embedding."""

    __tablename__ = "entry_photos"
    __table_args__ = (sa.Index("ix_entry_photos_entry", "entry_id"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    entry_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("watchlist_entries.id"))
    media_key: Mapped[str] = mapped_column(sa.String(512))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    embedding: Mapped[bytes] = mapped_column(sa.LargeBinary)
    quality: Mapped[float] = mapped_column(sa.Float)
    created_by: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime]


class FaceMatchRow(Base):
    """One use of a watchlist: a probe matched an entry (pending until confirmed)."""

    __tablename__ = "face_matches"
    __table_args__ = (
        sa.Index("ix_face_matches_status_at", "status", "matched_at"),
        sa.Index("ix_face_matches_camera_at", "camera_id", "matched_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(64))
    camera_id: Mapped[str] = mapped_column(sa.String(128))
    track_id: Mapped[int] = mapped_column(sa.Integer)
    watchlist_id: Mapped[str] = mapped_column(sa.String(32))
    watchlist_name: Mapped[str] = mapped_column(sa.String(200))
    watchlist_kind: Mapped[str] = mapped_column(sa.String(16))
    entry_id: Mapped[str] = mapped_column(sa.String(32))
    entry_name: Mapped[str] = mapped_column(sa.String(200))
    photo_id: Mapped[str] = mapped_column(sa.String(32))
    score: Mapped[float] = mapped_column(sa.Float)
    threshold: Mapped[float] = mapped_column(sa.Float)
    quality: Mapped[float] = mapped_column(sa.Float)
    probe_key: Mapped[str | None] = mapped_column(sa.String(512))
    probe_sha256: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    matched_at: Mapped[datetime]
    frame_ts: Mapped[float] = mapped_column(sa.Float)
    decided_at: Mapped[datetime | None]
    looks: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")  # r0020


class MatchConfirmationRow(Base):
    """One verifier's decision on a match (confirm or reject)."""

    __tablename__ = "match_confirmations"
    __table_args__ = (
        sa.UniqueConstraint("match_id", "user_id", "decision", name="uq_match_confirmations"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    match_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("face_matches.id"))
    user_id: Mapped[str] = mapped_column(sa.String(64))
    username: Mapped[str] = mapped_column(sa.String(128))
    decision: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime]


class FaceSightingRow(Base):
    """A retained face (only with ``identity.retain_unmatched``), purged after its expiry."""

    __tablename__ = "face_sightings"
    __table_args__ = (
        sa.Index("ix_face_sightings_seen", "seen_at"),
        sa.Index("ix_face_sightings_expires", "expires_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    camera_id: Mapped[str] = mapped_column(sa.String(128))
    track_id: Mapped[int] = mapped_column(sa.Integer)
    seen_at: Mapped[datetime]
    frame_ts: Mapped[float] = mapped_column(sa.Float)
    quality: Mapped[float] = mapped_column(sa.Float)
    embedding: Mapped[bytes] = mapped_column(sa.LargeBinary)
    crop_key: Mapped[str | None] = mapped_column(sa.String(512))
    crop_sha256: Mapped[str] = mapped_column(sa.String(64))
    expires_at: Mapped[datetime]
