"""User repository: accounts, roles, camera/site scope, sign-in with lockout."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kuzet.core.roles import Role
from kuzet.privacy.auth.models import UserRow
from kuzet.privacy.auth.passwords import hash_password, verify_password
from kuzet.privacy.principal import Principal
from kuzet.privacy.roles import permissions_for


@dataclass(frozen=True, slots=True)
class User:
    """A user as the rest of Kuzet sees it (no password hash)."""

    id: str
    username: str
    role: Role
    cameras: frozenset[str] | None
    sites: frozenset[str] | None
    disabled: bool
    failed_count: int
    locked_until: datetime | None
    oidc_subject: str | None
    created_at: datetime

    def principal(self) -> Principal:
        """The principal acting as this user (role permissions, user scope)."""
        return Principal(
            user_id=self.id,
            username=self.username,
            role=self.role,
            permissions=permissions_for(self.role),
            cameras=self.cameras,
            sites=self.sites,
        )

    def locked(self, now: datetime) -> bool:
        """True while a lockout is in force."""
        return self.locked_until is not None and self.locked_until > now


class LoginError(Exception):
    """Sign-in refused; ``str(error)`` is safe to show the user."""

    def __init__(self, message: str, *, locked_now: bool = False) -> None:
        super().__init__(message)
        self.locked_now = locked_now


BAD_CREDENTIALS = "invalid username or password"


def _to_user(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        cameras=None if row.cameras is None else frozenset(row.cameras),
        sites=None if row.sites is None else frozenset(row.sites),
        disabled=row.disabled,
        failed_count=row.failed_count,
        locked_until=row.locked_until,
        oidc_subject=row.oidc_subject,
        created_at=row.created_at,
    )


def _scope(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else sorted(set(values))


class UserRepo:
    """Users in the ``users`` table."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(
        self,
        username: str,
        password: str | None,
        role: Role,
        cameras: Sequence[str] | None = None,
        oidc_subject: str | None = None,
    ) -> User:
        """Add a user (password None: OIDC-only account).

        Raises:
            ValueError: On a weak password or a username already taken.
        """
        username = username.strip()
        if not username:
            raise ValueError("username must not be empty")
        now = datetime.now(UTC)
        row = UserRow(
            id=uuid.uuid4().hex,
            username=username,
            password_hash=None if password is None else hash_password(password),
            role=str(role),
            cameras=_scope(cameras),
            sites=None,
            disabled=False,
            failed_count=0,
            locked_until=None,
            oidc_subject=oidc_subject,
            created_at=now,
            updated_at=now,
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError as error:
            raise ValueError(f"user {username!r} already exists") from error
        return _to_user(row)

    def get(self, user_id: str) -> User | None:
        """The user with ``user_id``, or None."""
        with self._sessions() as session:
            row = session.get(UserRow, user_id)
            return None if row is None else _to_user(row)

    def by_username(self, username: str) -> User | None:
        """The user called ``username``, or None."""
        with self._sessions() as session:
            row = session.scalar(sa.select(UserRow).where(UserRow.username == username))
            return None if row is None else _to_user(row)

    def by_oidc_subject(self, subject: str) -> User | None:
        """The user provisioned for the OIDC ``subject`` (``iss|sub``), or None."""
        with self._sessions() as session:
            row = session.scalar(sa.select(UserRow).where(UserRow.oidc_subject == subject))
            return None if row is None else _to_user(row)

    def list(self) -> list[User]:
        """Every user, by username."""
        with self._sessions() as session:
            rows = session.scalars(sa.select(UserRow).order_by(UserRow.username))
            return [_to_user(r) for r in rows]

    def count_role(self, role: Role) -> int:
        """How many enabled users have ``role``."""
        with self._sessions() as session:
            query = sa.select(sa.func.count()).select_from(UserRow)
            query = query.where(UserRow.role == str(role), UserRow.disabled.is_(False))
            return int(session.scalar(query) or 0)

    def update(self, username: str, **values: object) -> User:
        """Set columns of one user (role, cameras, sites, disabled, password_hash ...).

        Raises:
            KeyError: If the user does not exist.
        """
        with self._sessions.begin() as session:
            row = session.scalar(sa.select(UserRow).where(UserRow.username == username))
            if row is None:
                raise KeyError(f"no user {username!r}")
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = datetime.now(UTC)
            session.flush()
            return _to_user(row)

    def set_role(self, username: str, role: Role) -> User:
        """Change a user's role."""
        return self.update(username, role=str(role))

    def set_scope(
        self, username: str, cameras: Sequence[str] | None, sites: Sequence[str] | None
    ) -> User:
        """Limit a user to ``cameras`` and ``sites`` (None and None: everything)."""
        return self.update(username, cameras=_scope(cameras), sites=_scope(sites))

    def set_disabled(self, username: str, disabled: bool) -> User:
        """Disable (or enable) a user; disabled users cannot sign in or use tokens."""
        return self.update(username, disabled=disabled)

    def set_password(self, username: str, password: str) -> User:
        """Replace the password and clear any lockout."""
        return self.update(
            username, password_hash=hash_password(password), failed_count=0, locked_until=None
        )

    def authenticate(
        self, username: str, password: str, max_failures: int, lockout_s: float
    ) -> User:
        """Check a password, counting failures and locking the account after ``max_failures``.

        Raises:
            LoginError: Wrong credentials, disabled or locked account.
        """
        now = datetime.now(UTC)
        # The transaction must commit the failure count, so errors are raised after it.
        with self._sessions.begin() as session:
            row = session.scalar(sa.select(UserRow).where(UserRow.username == username))
            ok = verify_password(None if row is None else row.password_hash, password)
            error = _check_login(row, ok, now)
            if row is not None and error is None:
                row.failed_count, row.locked_until = 0, None
            elif row is not None and not ok and not _is_locked(row, now):
                row.failed_count += 1
                if row.failed_count >= max_failures:
                    row.failed_count = 0
                    row.locked_until = now + timedelta(seconds=lockout_s)
                    error = LoginError(_locked_message(row.locked_until), locked_now=True)
            user = None if row is None else _to_user(row)
        if error is not None or user is None:
            raise error or LoginError(BAD_CREDENTIALS)
        return user


def _check_login(row: UserRow | None, ok: bool, now: datetime) -> LoginError | None:
    if row is None:
        return LoginError(BAD_CREDENTIALS)
    if row.locked_until is not None and _is_locked(row, now):
        return LoginError(_locked_message(row.locked_until))
    if not ok:
        return LoginError(BAD_CREDENTIALS)
    if row.disabled:
        return LoginError("this account is disabled")
    return None


def _is_locked(row: UserRow, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def _locked_message(until: datetime) -> str:
    return (
        "too many failed sign-ins: this account is locked until "
        f"{until:%Y-%m-%d %H:%M} UTC (ask an administrator to reset it sooner)"
    )
