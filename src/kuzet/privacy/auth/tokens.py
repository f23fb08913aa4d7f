"""API tokens (``kz_...``) and console sessions: random secrets stored as SHA-256 digests."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from kuzet.privacy.auth.models import ApiTokenRow, SessionRow
from kuzet.privacy.principal import Permission

TOKEN_PREFIX = "kz_"
TOUCH_EVERY = timedelta(seconds=60)  # last-use writes at most once a minute
MAX_TOKEN_DAYS = 3650  # ten years; longer lifetimes are refused (and overflow datetime)
log = logging.getLogger(__name__)


class _Toucher:
    """Best-effort last-use writes, off the request path (issue 14).

    A sign-in only reads; the last-use time is written by a short-lived thread,
    at most once per ``TOUCH_EVERY`` per row (also while earlier writes still
    wait), and a locked or read-only store only loses that timestamp: a GET
    never fails or waits because of it.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._tried: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def touch(self, key: str, stmt: sa.Update, now: datetime) -> None:
        with self._lock:
            last = self._tried.get(key)
            if last is not None and now - last < TOUCH_EVERY:
                return
            self._tried[key] = now
            if len(self._tried) > 10_000:
                self._tried.clear()
        threading.Thread(target=self._write, args=(stmt,), name="touch", daemon=True).start()

    def _write(self, stmt: sa.Update) -> None:
        try:
            with self._sessions.begin() as session:
                session.execute(stmt)
        except sa.exc.OperationalError as error:
            log.info("last-use time not written (store busy): %s", error)


def digest(secret: str) -> str:
    """SHA-256 hex digest of a token or session id."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token's record (the secret itself is shown once, at creation)."""

    id: str
    user_id: str
    name: str
    scopes: frozenset[Permission]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def usable(self, now: datetime) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def _to_token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        scopes=frozenset(Permission(s) for s in row.scopes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


class TokenRepo:
    """Bearer tokens in ``api_tokens``."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._toucher = _Toucher(sessions)

    def create(
        self, user_id: str, name: str, scopes: Iterable[Permission], ttl: timedelta | None
    ) -> tuple[str, ApiToken]:
        """A new token; returns ``(secret, record)``. Only the digest is stored.

        Raises:
            ValueError: ``ttl`` is not positive or longer than ``MAX_TOKEN_DAYS``.
        """
        if ttl is not None and not timedelta(0) < ttl <= timedelta(days=MAX_TOKEN_DAYS):
            raise ValueError(f"token lifetime must be 0..{MAX_TOKEN_DAYS} days, got {ttl}")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        row = ApiTokenRow(
            id=uuid.uuid4().hex,
            user_id=user_id,
            name=name,
            token_sha256=digest(secret),
            scopes=sorted(str(s) for s in scopes),
            created_at=now,
            expires_at=None if ttl is None else now + ttl,
            revoked_at=None,
            last_used_at=None,
        )
        with self._sessions.begin() as session:
            session.add(row)
        return secret, _to_token(row)

    def resolve(self, secret: str) -> ApiToken | None:
        """The usable token for ``secret`` (and note its use), or None."""
        now = datetime.now(UTC)
        with self._sessions() as session:
            row = session.scalar(
                sa.select(ApiTokenRow).where(ApiTokenRow.token_sha256 == digest(secret))
            )
            if row is None or not _to_token(row).usable(now):
                return None
            token = _to_token(row)
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            stmt = sa.update(ApiTokenRow).where(ApiTokenRow.id == token.id)
            self._toucher.touch(token.id, stmt.values(last_used_at=now), now)
        return token

    def get(self, token_id: str) -> ApiToken | None:
        """The token with ``token_id``, or None."""
        with self._sessions() as session:
            row = session.get(ApiTokenRow, token_id)
            return None if row is None else _to_token(row)

    def list(self, user_id: str | None = None) -> list[ApiToken]:
        """Tokens (of one user, or all), oldest first."""
        query = sa.select(ApiTokenRow).order_by(ApiTokenRow.created_at)
        if user_id is not None:
            query = query.where(ApiTokenRow.user_id == user_id)
        with self._sessions() as session:
            return [_to_token(r) for r in session.scalars(query)]

    def revoke(self, token_id: str) -> bool:
        """Revoke a token; False when it does not exist or was already revoked."""
        with self._sessions.begin() as session:
            row = session.get(ApiTokenRow, token_id)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = datetime.now(UTC)
            return True


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """A live console session."""

    user_id: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class SessionRepo:
    """Console sessions in ``sessions``: idle expiry, absolute expiry, revocation."""

    def __init__(self, sessions: sessionmaker[Session], idle_s: float, max_s: float) -> None:
        self._sessions = sessions
        self.idle = timedelta(seconds=idle_s)
        self.max = timedelta(seconds=max_s)
        self._toucher = _Toucher(sessions)

    def create(self, user_id: str, ip: str | None) -> tuple[str, ConsoleSession]:
        """Start a session; returns ``(session id for the cookie, session)``."""
        session_id = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        row = SessionRow(
            id_sha256=digest(session_id),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            ip=ip,
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.max,
            revoked_at=None,
        )
        with self._sessions.begin() as session:
            session.add(row)
        return session_id, ConsoleSession(user_id, row.csrf_token, now, row.expires_at)

    def resolve(self, session_id: str) -> ConsoleSession | None:
        """The session for a cookie value if still valid (and note the activity), else None."""
        now = datetime.now(UTC)
        key = digest(session_id)
        with self._sessions() as session:
            row = session.get(SessionRow, key)
            if row is None or row.revoked_at is not None or row.expires_at <= now:
                return None
            found = ConsoleSession(row.user_id, row.csrf_token, row.created_at, row.expires_at)
            last_seen = row.last_seen_at
        stmt = sa.update(SessionRow).where(SessionRow.id_sha256 == key)
        if now - last_seen > self.idle:  # idle too long: over whether or not the write lands
            self._toucher.touch("revoke:" + key, stmt.values(revoked_at=now), now)
            return None
        if now - last_seen > TOUCH_EVERY:
            self._toucher.touch(key, stmt.values(last_seen_at=now), now)
        return found

    def revoke(self, session_id: str) -> None:
        """End one session (sign-out)."""
        with self._sessions.begin() as session:
            row = session.get(SessionRow, digest(session_id))
            if row is not None and row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)

    def revoke_user(self, user_id: str) -> int:
        """End every session of a user (disable, role or password change); returns how many."""
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            result = session.execute(
                sa.update(SessionRow)
                .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]
