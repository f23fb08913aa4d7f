"""Authentication: local users (argon2id), console sessions, API tokens, OIDC sign-in."""

from kuzet.privacy.auth.service import AuthService, Throttled
from kuzet.privacy.auth.tokens import ApiToken, ConsoleSession, SessionRepo, TokenRepo
from kuzet.privacy.auth.users import LoginError, User, UserRepo

__all__ = [
    "ApiToken",
    "AuthService",
    "ConsoleSession",
    "LoginError",
    "SessionRepo",
    "Throttled",
    "TokenRepo",
    "User",
    "UserRepo",
]
