"""Authentication service: sign-in, sessions and tokens -> :class:`Principal`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from kuzet.config.security import SecurityConfig
from kuzet.core.roles import Role
from kuzet.privacy.auth.oidc import OidcClient, OidcError, OidcIdentity
from kuzet.privacy.auth.throttle import IpThrottle
from kuzet.privacy.auth.tokens import ConsoleSession, SessionRepo, TokenRepo
from kuzet.privacy.auth.users import LoginError, User, UserRepo
from kuzet.privacy.principal import Principal


class Throttled(LoginError):
    """Too many failed sign-ins from one address."""

    def __init__(self, retry_after: float) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(f"too many failed sign-ins from your address; try again in {minutes} min")
        self.retry_after = retry_after


@dataclass
class AuthService:
    """Users, tokens and sessions over one database.

    Example:
        >>> auth = AuthService.from_engine(store.engine)  # doctest: +SKIP
        >>> sid, session, user = auth.login("ana", "s3cret-pass", "10.0.0.5")  # doctest: +SKIP
    """

    users: UserRepo
    tokens: TokenRepo
    sessions: SessionRepo
    config: SecurityConfig = field(default_factory=SecurityConfig)
    throttle: IpThrottle = field(init=False)
    oidc: OidcClient | None = field(init=False)

    def __post_init__(self) -> None:
        self.throttle = IpThrottle(self.config.ip_max_failures, self.config.ip_window_s)
        self.oidc = None if self.config.oidc is None else OidcClient(self.config.oidc)

    @classmethod
    def from_engine(cls, engine: Engine, config: SecurityConfig | None = None) -> AuthService:
        """The service over the store's engine (tables come from the store's migrations)."""
        config = config or SecurityConfig()
        factory = sessionmaker(engine, expire_on_commit=False)
        return cls(
            users=UserRepo(factory),
            tokens=TokenRepo(factory),
            sessions=SessionRepo(factory, config.session_idle_s, config.session_max_s),
            config=config,
        )

    def login(
        self, username: str, password: str, ip: str | None
    ) -> tuple[str, ConsoleSession, User]:
        """Check the password and start a session.

        Returns:
            ``(session id for the cookie, session, user)``.

        Raises:
            Throttled: The address made too many failed attempts.
            LoginError: Wrong credentials, disabled or locked account.
        """
        key = ip or "unknown"
        wait = self.throttle.retry_after(key)
        if wait > 0:
            raise Throttled(wait)
        try:
            user = self.users.authenticate(
                username, password, self.config.max_failures, self.config.lockout_s
            )
        except LoginError:
            self.throttle.failed(key)
            raise
        session_id, session = self.sessions.create(user.id, ip)
        return session_id, session, user

    def start_session(self, user: User, ip: str | None) -> tuple[str, ConsoleSession]:
        """A session for an already authenticated user (OIDC sign-in)."""
        return self.sessions.create(user.id, ip)

    def from_session(self, session_id: str) -> tuple[Principal, ConsoleSession] | None:
        """The principal of a valid session cookie, or None."""
        session = self.sessions.resolve(session_id)
        if session is None:
            return None
        user = self.users.get(session.user_id)
        if user is None or user.disabled:
            return None
        return user.principal(), session

    def from_token(self, secret: str) -> Principal | None:
        """The principal of a usable bearer token (its scopes narrow the role), or None."""
        token = self.tokens.resolve(secret)
        if token is None:
            return None
        user = self.users.get(token.user_id)
        if user is None or user.disabled:
            return None
        base = user.principal()
        return Principal(
            user_id=base.user_id,
            username=base.username,
            role=base.role,
            permissions=base.permissions & token.scopes,
            cameras=base.cameras,
            sites=base.sites,
            token_id=token.id,
        )

    def provision(self, identity: OidcIdentity) -> tuple[User, Role | None]:
        """The user for an OIDC identity, created on first sign-in; the role follows the IdP.

        Returns:
            ``(user, previous role)``; the previous role is None unless it changed.

        Raises:
            OidcError: The name belongs to a local account, or the account is disabled.
        """
        user = self.users.by_oidc_subject(identity.subject)
        if user is None:
            if self.users.by_username(identity.username) is not None:
                raise OidcError(f"user name {identity.username!r} belongs to another account")
            user = self.users.create(
                identity.username, None, identity.role, oidc_subject=identity.subject
            )
            return user, None
        if user.disabled:
            raise OidcError("this account is disabled")
        if user.role != identity.role:
            previous = user.role
            user = self.users.set_role(user.username, identity.role)
            return user, previous
        return user, None

    def has_admin(self) -> bool:
        """True when at least one enabled admin exists."""
        return self.users.count_role(Role.ADMIN) > 0
