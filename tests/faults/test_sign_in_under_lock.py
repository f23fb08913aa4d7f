"""Sign-in while the database is locked: a GET must not wait for, or fail on, a write.

Issue 14 finding 6: token sign-in wrote ``last_used_at`` on every GET, so with
the database locked for 20 s the API answered 500 after 10 s.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from kuzet.privacy.auth.tokens import SessionRepo, TokenRepo
from kuzet.privacy.auth.users import UserRepo
from kuzet.privacy.principal import Permission, Role
from kuzet.store import open_store

pytestmark = pytest.mark.faults


def test_token_and_session_sign_in_while_the_database_is_locked(tmp_path: Path) -> None:
    store = open_store(None, tmp_path)
    sessions = sessionmaker(store.engine, expire_on_commit=False)
    user = UserRepo(sessions).create("ann", "correct horse battery", Role.OPERATOR)
    tokens, consoles = TokenRepo(sessions), SessionRepo(sessions, 3600, 86400)
    secret, token = tokens.create(user.id, "script", {Permission.VIEW_LIVE}, timedelta(days=1))
    cookie, _ = consoles.create(user.id, "127.0.0.1")
    lock = sqlite3.connect(tmp_path / "kuzet.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # every writer now waits up to busy_timeout (10 s)
    try:
        started = time.monotonic()
        resolved = tokens.resolve(secret)
        console = consoles.resolve(cookie)
        took = time.monotonic() - started
    finally:
        lock.execute("COMMIT")
        lock.close()
    assert resolved is not None and resolved.id == token.id
    assert console is not None and console.user_id == user.id
    assert took < 1.0, f"sign-in waited {took:.1f} s on a locked database"
    store.close()
