"""Licence-plate hotlists and their entries, with governance enforced on write.

An entry is refused without a legal basis, an owner or an expiry (in the
future); its plate is normalised (uppercase, no separators). ``exact`` entries
hold letters and digits only; ``wildcard`` entries use ``*`` (any run) and
``?`` (one character) and need at least three literal characters, so a pattern
cannot match every plate. Expiry and suspension are checked again at match time
(:meth:`HotlistRepo.active_entries`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from kuzet.identity.plate_match import WILDCARDS, normalise_plate
from kuzet.store.models import HotlistEntryRow, HotlistRow

MatchKind = Literal["exact", "wildcard"]
EntryStatus = Literal["active", "suspended"]
MIN_PATTERN_LITERALS = 3
ENTRY_REQUIRED = ("legal_basis", "owner", "reason")


class HotlistError(ValueError):
    """A hotlist or entry that breaks a rule; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Hotlist:
    """A hotlist: ``reason`` is its category (stolen, wanted, amber ...); priority 1 = highest."""

    id: str
    name: str
    reason: str
    priority: int
    created_by: str | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "name": self.name,
            "reason": self.reason,
            "priority": self.priority,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


def _hotlist(row: HotlistRow) -> Hotlist:
    return Hotlist(row.id, row.name, row.reason, row.priority, row.created_by, row.created_at)


ENTRY_FIELDS = (
    "id", "hotlist_id", "plate", "match", "reason", "priority", "legal_basis", "authority",
    "case_ref", "owner", "expires_at", "status", "created_by", "created_at", "updated_at",
)  # fmt: skip


def entry_json(row: HotlistEntryRow) -> dict[str, Any]:
    """An entry row as JSON (times in ISO 8601 UTC)."""
    out: dict[str, Any] = {}
    for name in ENTRY_FIELDS:
        value = getattr(row, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def clean_plate(plate: str, match: str) -> str:
    """The normalised plate or pattern of an entry.

    Raises:
        HotlistError: On an empty plate, wildcards in an exact entry, or a wildcard
            pattern without wildcards or with fewer than three literal characters.
    """
    if match not in ("exact", "wildcard"):
        raise HotlistError("match", f"must be 'exact' or 'wildcard', not {match!r}")
    text = normalise_plate(plate, keep_wildcards=match == "wildcard")
    literals = sum(c not in WILDCARDS for c in text)
    if match == "exact" and (not text or any(c in WILDCARDS for c in plate)):
        raise HotlistError("plate", f"{plate!r} is not a plate (letters and digits only)")
    if match == "wildcard" and not any(c in WILDCARDS for c in text):
        raise HotlistError("plate", f"wildcard pattern {plate!r} has no '*' or '?'")
    if match == "wildcard" and literals < MIN_PATTERN_LITERALS:
        raise HotlistError("plate", f"pattern {plate!r} needs at least 3 letters or digits")
    return text


def check_governance(values: dict[str, Any], now: datetime) -> None:
    """Refuse an entry without legal basis, owner, reason or a future expiry.

    Raises:
        HotlistError: Naming the first missing or invalid field.
    """
    for name in ENTRY_REQUIRED:
        if not str(values.get(name) or "").strip():
            raise HotlistError(name, "is required for a hotlist entry")
    expires = values.get("expires_at")
    if not isinstance(expires, datetime):
        raise HotlistError("expires_at", "is required for a hotlist entry")
    expires = expires.replace(tzinfo=UTC) if expires.tzinfo is None else expires
    if expires <= now:
        raise HotlistError("expires_at", f"{expires.isoformat()} is not in the future")


class HotlistRepo:
    """Hotlists and entries in the store.

    Example:
        >>> repo = HotlistRepo(store.engine)  # doctest: +SKIP
        >>> stolen = repo.create_hotlist("stolen cars", "stolen", 1, "admin")  # doctest: +SKIP
    """

    def __init__(self, engine: Engine) -> None:
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    def create_hotlist(self, name: str, reason: str, priority: int, by: str | None) -> Hotlist:
        """A new hotlist.

        Raises:
            HotlistError: On an empty or taken name, or a priority outside 1-5.
        """
        if not name.strip():
            raise HotlistError("name", "is required")
        if not 1 <= priority <= 5:
            raise HotlistError("priority", f"must be 1 (highest) to 5, not {priority}")
        row = HotlistRow(
            id=uuid.uuid4().hex, name=name.strip(), reason=reason.strip() or "other",
            priority=priority, created_by=by, created_at=datetime.now(UTC),
        )  # fmt: skip
        with self.sessions.begin() as session:
            if session.scalar(sa.select(HotlistRow.id).where(HotlistRow.name == row.name)):
                raise HotlistError("name", f"a hotlist named {row.name!r} exists")
            session.add(row)
        return _hotlist(row)

    def hotlists(self) -> list[Hotlist]:
        """Every hotlist, by name."""
        with self.sessions() as session:
            rows = session.scalars(sa.select(HotlistRow).order_by(HotlistRow.name))
            return [_hotlist(r) for r in rows]

    def hotlist(self, hotlist_id: str) -> Hotlist | None:
        """One hotlist, or None."""
        with self.sessions() as session:
            row = session.get(HotlistRow, hotlist_id)
            return None if row is None else _hotlist(row)

    def add_entry(self, hotlist_id: str, values: dict[str, Any], by: str | None) -> dict[str, Any]:
        """Add an entry (``plate``, ``match``, ``reason``, ``legal_basis``, ``owner``,
        ``expires_at``, optional ``priority``, ``authority``, ``case_ref``).

        Raises:
            HotlistError: Unknown hotlist, or an entry breaking a governance rule.
        """
        now = datetime.now(UTC)
        hotlist = self.hotlist(hotlist_id)
        if hotlist is None:
            raise HotlistError("hotlist_id", f"unknown hotlist {hotlist_id!r}")
        check_governance(values, now)
        match = str(values.get("match") or "exact")
        priority = int(values.get("priority") or hotlist.priority)
        if not 1 <= priority <= 5:
            raise HotlistError("priority", f"must be 1 (highest) to 5, not {priority}")
        row = HotlistEntryRow(
            id=uuid.uuid4().hex, hotlist_id=hotlist_id,
            plate=clean_plate(str(values.get("plate") or ""), match), match=match,
            reason=values["reason"], priority=priority, legal_basis=values["legal_basis"],
            authority=values.get("authority"), case_ref=values.get("case_ref"),
            owner=values["owner"], expires_at=values["expires_at"], status="active",
            created_by=by, created_at=now, updated_at=now,
        )  # fmt: skip
        with self.sessions.begin() as session:
            session.add(row)
        return entry_json(row)

    def entries(self, hotlist_id: str) -> list[dict[str, Any]]:
        """Entries of one hotlist, newest first."""
        stmt = (
            sa.select(HotlistEntryRow)
            .where(HotlistEntryRow.hotlist_id == hotlist_id)
            .order_by(HotlistEntryRow.created_at.desc())
        )
        with self.sessions() as session:
            return [entry_json(r) for r in session.scalars(stmt)]

    def update_entry(self, entry_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Change ``status``, ``expires_at``, ``priority`` or governance text of an entry.

        Returns:
            The updated entry, or None when unknown.

        Raises:
            HotlistError: When the change would break a governance rule.
        """
        with self.sessions.begin() as session:
            row = session.get(HotlistEntryRow, entry_id)
            if row is None:
                return None
            if changes.get("status", row.status) not in ("active", "suspended"):
                raise HotlistError("status", "must be 'active' or 'suspended'")
            merged = {**entry_json(row), "expires_at": row.expires_at, **changes}
            if "expires_at" in changes or changes.get("status") == "active":
                check_governance(merged, datetime.now(UTC))
            for name in ENTRY_REQUIRED:
                if name in changes and not str(changes[name] or "").strip():
                    raise HotlistError(name, "is required for a hotlist entry")
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = datetime.now(UTC)
        return entry_json(row)

    def active_entries(self, now: datetime) -> list[tuple[HotlistEntryRow, Hotlist]]:
        """Entries that may match at ``now``: active and not expired, with their hotlist."""
        stmt = (
            sa.select(HotlistEntryRow, HotlistRow)
            .join(HotlistRow, HotlistRow.id == HotlistEntryRow.hotlist_id)
            .where(HotlistEntryRow.status == "active", HotlistEntryRow.expires_at > now)
        )
        with self.sessions() as session:
            return [(entry, _hotlist(hl)) for entry, hl in session.execute(stmt)]
