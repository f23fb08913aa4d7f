"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# Verified against when the user does not exist, so timing does not reveal names.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def check_policy(password: str) -> None:
    """Refuse passwords too short to resist guessing.

    Raises:
        ValueError: If ``password`` is shorter than :data:`MIN_PASSWORD_LENGTH`.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters, got {len(password)}"
        )


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (after :func:`check_policy`)."""
    check_policy(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; None burns the same time and fails."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password for first-run accounts (about 128 bits)."""
    return secrets.token_urlsafe(16)
