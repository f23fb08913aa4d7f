"""Auth building blocks: role matrix (and its doc), passwords, sessions, throttle, lockout."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kuzet.config.security import SecurityConfig
from kuzet.core.roles import Role
from kuzet.privacy.auth import AuthService, LoginError, Throttled
from kuzet.privacy.auth.models import SessionRow
from kuzet.privacy.auth.passwords import hash_password, verify_password
from kuzet.privacy.auth.throttle import IpThrottle
from kuzet.privacy.principal import Permission
from kuzet.privacy.roles import ROLE_PERMISSIONS, matrix_markdown, parse_permissions, parse_role
from kuzet.store import Store, open_store

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"
PASSWORD = "a-long-enough-password"


@pytest.fixture
def store(tmp_path: Path, db_url: str | None) -> Iterator[Store]:
    opened = open_store(db_url, tmp_path)
    yield opened
    opened.close()


def test_every_role_has_a_row_and_duties_are_separated() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    admin, auditor = ROLE_PERMISSIONS[Role.ADMIN], ROLE_PERMISSIONS[Role.AUDITOR]
    assert not admin & {Permission.UNMASK, Permission.EXPORT, Permission.VIEW_AUDIT}
    assert auditor == {Permission.VIEW_AUDIT}
    assert Permission.CONFIRM_MATCH in ROLE_PERMISSIONS[Role.SUPERVISOR]


def test_docs_show_the_matrix() -> None:
    assert matrix_markdown() in DOCS.read_text()


@pytest.mark.parametrize(
    ("parse", "bad"), [(parse_role, "root"), (lambda n: parse_permissions([n]), "sudo")]
)
def test_unknown_names_are_refused(parse: object, bad: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse(bad)  # type: ignore[operator]


def test_password_hash_is_argon2id_and_policy_holds() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD) and not verify_password(stored, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)
    with pytest.raises(ValueError, match="at least 10"):
        hash_password("short")


def test_lockout_expires_and_success_resets_the_count(store: Store) -> None:
    auth = AuthService.from_engine(store.engine, SecurityConfig(max_failures=2, lockout_s=60))
    auth.users.create("ana", PASSWORD, Role.OPERATOR)
    with pytest.raises(LoginError):
        auth.login("ana", "wrong-password", "10.0.0.1")
    auth.login("ana", PASSWORD, "10.0.0.1")  # success resets the count
    with pytest.raises(LoginError):
        auth.login("ana", "wrong-password", "10.0.0.1")
    with pytest.raises(LoginError, match="locked until") as locked:
        auth.login("ana", "wrong-password", "10.0.0.1")
    assert locked.value.locked_now
    auth.users.update("ana", locked_until=datetime.now(UTC) - timedelta(seconds=1))
    auth.login("ana", PASSWORD, "10.0.0.1")


def _age_session(store: Store, **ages: timedelta) -> None:
    now = datetime.now(UTC)
    values = {column: now - age for column, age in ages.items()}
    with store.engine.begin() as conn:
        conn.execute(SessionRow.__table__.update().values(**values))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("ages", "valid"),
    [
        ({"last_seen_at": timedelta(minutes=59)}, True),
        ({"last_seen_at": timedelta(minutes=61)}, False),  # idle expiry (1 h)
        ({"expires_at": timedelta(seconds=1)}, False),  # absolute expiry passed
    ],
)
def test_session_expiry(store: Store, ages: dict[str, timedelta], valid: bool) -> None:
    auth = AuthService.from_engine(store.engine)
    auth.users.create("ana", PASSWORD, Role.OPERATOR)
    session_id, _, _ = auth.login("ana", PASSWORD, None)
    _age_session(store, **ages)
    assert (auth.from_session(session_id) is not None) is valid


def test_role_change_applies_to_open_sessions(store: Store) -> None:
    auth = AuthService.from_engine(store.engine)
    auth.users.create("ana", PASSWORD, Role.OPERATOR)
    session_id, _, _ = auth.login("ana", PASSWORD, None)
    auth.users.set_role("ana", Role.AUDITOR)
    found = auth.from_session(session_id)
    assert found is not None and found[0].permissions == {Permission.VIEW_AUDIT}


def test_ip_throttle_window() -> None:
    now = [0.0]
    throttle = IpThrottle(max_failures=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        throttle.failed("1.2.3.4")
    assert throttle.retry_after("1.2.3.4") == 60 and throttle.retry_after("5.6.7.8") == 0
    now[0] = 61
    assert throttle.retry_after("1.2.3.4") == 0


def test_throttle_blocks_before_checking_the_password(store: Store) -> None:
    auth = AuthService.from_engine(store.engine, SecurityConfig(ip_max_failures=2))
    auth.users.create("ana", PASSWORD, Role.OPERATOR)
    for _ in range(2):
        with pytest.raises(LoginError):
            auth.login("nobody", "whatever-123", "9.9.9.9")
    with pytest.raises(Throttled):
        auth.login("ana", PASSWORD, "9.9.9.9")
    auth.login("ana", PASSWORD, "8.8.8.8")
