"""Watchlists and their governed entries and enrolled photos (the database side).

Every entry carries its legal basis, authorising authority, case reference,
purpose, owner and expiry; :func:`check_governance` refuses an entry without
them. An entry matches only while ``status == "active"`` and it has not expired
(:func:`entry_matchable`, checked at match time).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.identity.models import (
    EntryPhotoRow,
    WatchlistEntryRow,
    WatchlistRow,
    embedding_array,
    embedding_bytes,
)

GOVERNANCE_FIELDS = ("legal_basis", "authority", "case_ref", "purpose", "owner", "expires_at")


class WatchlistKind(StrEnum):
    """What a list is for."""

    WANTED = "wanted"
    MISSING = "missing"
    OTHER = "other"


class EntryStatus(StrEnum):
    """Suspended entries never match."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class GovernanceError(ValueError):
    """An entry lacks a governance field or has an invalid one.

    Attributes:
        field: The offending field.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFoundError(LookupError):
    """No such watchlist, entry or photo."""


def new_id() -> str:
    """A fresh 32-hex id."""
    return uuid.uuid4().hex


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def check_governance(values: Mapping[str, Any], now: datetime) -> None:
    """Refuse an entry without legal basis, authority, case, purpose, owner or a future expiry.

    Raises:
        GovernanceError: Naming the first missing or invalid field.
    """
    for name in GOVERNANCE_FIELDS:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise GovernanceError(name, "is required for every watchlist entry")
    expires = values["expires_at"]
    if not isinstance(expires, datetime):
        raise GovernanceError("expires_at", f"must be a date-time, got {expires!r}")
    if _utc(expires) <= now:
        raise GovernanceError("expires_at", f"{expires.isoformat()} is in the past")


def entry_matchable(entry: WatchlistEntryRow, now: datetime) -> bool:
    """True while the entry is active and not expired."""
    return entry.status == EntryStatus.ACTIVE and _utc(entry.expires_at) > now


@dataclass(frozen=True, slots=True)
class GalleryPhoto:
    """One enrolled photo in the search index."""

    photo_id: str
    entry_id: str
    embedding: npt.NDArray[np.float32]


class WatchlistRepo:
    """Create, read and change watchlists, entries and photos.

    Returned rows are detached copies (safe to read after the call).
    """

    def __init__(self, engine: Engine) -> None:
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    def create_list(self, name: str, kind: str, threshold: float, description: str,
                    actor: str | None) -> WatchlistRow:
        """A new watchlist."""
        now = datetime.now(UTC)
        row = WatchlistRow(id=new_id(), name=name, kind=str(WatchlistKind(kind)),
                           threshold=float(threshold), description=description,
                           created_by=actor, created_at=now, updated_at=now)
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def lists(self) -> list[WatchlistRow]:
        """Every watchlist, by name."""
        with self._sessions() as session:
            return list(session.scalars(sa.select(WatchlistRow).order_by(WatchlistRow.name)))

    def get_list(self, list_id: str) -> WatchlistRow:
        """One watchlist.

        Raises:
            NotFoundError: Unknown id.
        """
        with self._sessions() as session:
            row = session.get(WatchlistRow, list_id)
        if row is None:
            raise NotFoundError(f"no watchlist {list_id!r}")
        return row

    def update_list(self, list_id: str, changes: Mapping[str, Any]) -> WatchlistRow:
        """Change name, kind, threshold or description.

        Raises:
            NotFoundError: Unknown id.
        """
        with self._sessions.begin() as session:
            row = session.get(WatchlistRow, list_id)
            if row is None:
                raise NotFoundError(f"no watchlist {list_id!r}")
            for key in ("name", "kind", "threshold", "description"):
                if key in changes and changes[key] is not None:
                    setattr(row, key, str(WatchlistKind(changes[key])) if key == "kind"
                            else changes[key])
            row.updated_at = datetime.now(UTC)
        return row

    def create_entry(self, list_id: str, values: Mapping[str, Any],
                     actor: str | None) -> WatchlistEntryRow:
        """A new active entry after :func:`check_governance`.

        Raises:
            NotFoundError: Unknown watchlist.
            GovernanceError: A governance field is missing or invalid.
        """
        now = datetime.now(UTC)
        check_governance(values, now)
        self.get_list(list_id)
        fields = {k: values.get(k) for k in ("name", "reference", *GOVERNANCE_FIELDS)}
        status = str(EntryStatus(values.get("status") or EntryStatus.ACTIVE))
        row = WatchlistEntryRow(id=new_id(), watchlist_id=list_id, status=status,
                                created_by=actor, created_at=now, updated_at=now, **fields)
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def entries(self, list_id: str) -> list[WatchlistEntryRow]:
        """Entries of one list, by name."""
        stmt = (sa.select(WatchlistEntryRow).where(WatchlistEntryRow.watchlist_id == list_id)
                .order_by(WatchlistEntryRow.name))
        with self._sessions() as session:
            return list(session.scalars(stmt))

    def get_entry(self, entry_id: str) -> WatchlistEntryRow:
        """One entry.

        Raises:
            NotFoundError: Unknown id.
        """
        with self._sessions() as session:
            row = session.get(WatchlistEntryRow, entry_id)
        if row is None:
            raise NotFoundError(f"no watchlist entry {entry_id!r}")
        return row

    def entries_with_lists(
        self, entry_ids: Sequence[str]
    ) -> dict[str, tuple[WatchlistEntryRow, WatchlistRow]]:
        """Entries and their lists in one query (entry id -> (entry, list)); unknown ids absent."""
        stmt = (sa.select(WatchlistEntryRow, WatchlistRow)
                .join(WatchlistRow, WatchlistRow.id == WatchlistEntryRow.watchlist_id)
                .where(WatchlistEntryRow.id.in_(list(entry_ids))))
        with self._sessions() as session:
            return {e.id: (e, w) for e, w in session.execute(stmt)}

    def update_entry(self, entry_id: str, changes: Mapping[str, Any]) -> WatchlistEntryRow:
        """Suspend or resume (``status``) and/or change ``expires_at`` or descriptive fields.

        Raises:
            NotFoundError: Unknown id.
            GovernanceError: A governance field would become empty, or expiry in the past.
        """
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            row = session.get(WatchlistEntryRow, entry_id)
            if row is None:
                raise NotFoundError(f"no watchlist entry {entry_id!r}")
            merged = {name: getattr(row, name) for name in GOVERNANCE_FIELDS}
            merged.update({k: v for k, v in changes.items() if k in GOVERNANCE_FIELDS})
            if "expires_at" in changes:
                check_governance(merged, now)
            elif any(k in changes for k in GOVERNANCE_FIELDS):
                check_governance({**merged, "expires_at": now.replace(year=now.year + 1)}, now)
            for key in ("name", "reference", "status", *GOVERNANCE_FIELDS):
                if key in changes and changes[key] is not None:
                    setattr(row, key, str(EntryStatus(changes[key])) if key == "status"
                            else changes[key])
            row.updated_at = now
        return row

    def add_photo(self, entry_id: str, key: str, sha256: str, embedding: npt.ArrayLike,
                  quality: float, actor: str | None) -> EntryPhotoRow:
        """Record an enrolled photo (the file is already in the media store)."""
        row = EntryPhotoRow(id=key.rsplit("/", 1)[-1].removesuffix(".jpg"), entry_id=entry_id,
                            media_key=key, sha256=sha256, embedding=embedding_bytes(embedding),
                            quality=float(quality), created_by=actor,
                            created_at=datetime.now(UTC))
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def photos(self, entry_ids: Sequence[str]) -> dict[str, list[EntryPhotoRow]]:
        """Photos of each entry (entry id -> photos, oldest first)."""
        found: dict[str, list[EntryPhotoRow]] = {e: [] for e in entry_ids}
        stmt = (sa.select(EntryPhotoRow).where(EntryPhotoRow.entry_id.in_(list(entry_ids)))
                .order_by(EntryPhotoRow.created_at))
        with self._sessions() as session:
            for row in session.scalars(stmt):
                found[row.entry_id].append(row)
        return found

    def get_photo(self, entry_id: str, photo_id: str) -> EntryPhotoRow:
        """One photo of one entry.

        Raises:
            NotFoundError: No such photo on that entry.
        """
        with self._sessions() as session:
            row = session.get(EntryPhotoRow, photo_id)
        if row is None or row.entry_id != entry_id:
            raise NotFoundError(f"entry {entry_id!r} has no photo {photo_id!r}")
        return row

    def gallery(self, now: datetime | None = None) -> list[GalleryPhoto]:
        """Photos of every entry that can match now (active, not expired)."""
        now = now or datetime.now(UTC)
        stmt = (sa.select(EntryPhotoRow.id, EntryPhotoRow.entry_id, EntryPhotoRow.embedding)
                .join(WatchlistEntryRow, WatchlistEntryRow.id == EntryPhotoRow.entry_id)
                .where(WatchlistEntryRow.status == EntryStatus.ACTIVE.value,
                       WatchlistEntryRow.expires_at > now))
        with self._sessions() as session:
            return [GalleryPhoto(pid, eid, embedding_array(emb))
                    for pid, eid, emb in session.execute(stmt)]
