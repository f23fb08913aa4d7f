"""API tokens of the signed-in user, and user administration (``manage_users``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.auth import AuthFirstRoute, CurrentUser, audit, require
from kuzet.api.deps import Deps
from kuzet.core.roles import Role
from kuzet.privacy.auth import ApiToken, User
from kuzet.privacy.auth.tokens import MAX_TOKEN_DAYS
from kuzet.privacy.principal import Permission, Principal

MIN_TOKEN_DAYS = 1 / 1440  # one minute

router = APIRouter(route_class=AuthFirstRoute, tags=["users"])
Admin = Annotated[Principal, require(Permission.MANAGE_USERS)]


class TokenIn(BaseModel):
    """A token to create; scopes default to all of the caller's permissions."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128, description="What the token is for.")
    scopes: list[Permission] | None = Field(None, description="Permissions (a subset of yours).")
    expires_days: float | None = Field(
        90,
        ge=MIN_TOKEN_DAYS,  # not just > 0: 5e-324 days is a zero timedelta
        le=MAX_TOKEN_DAYS,
        description="Lifetime in days (at least one minute); null = never.",
    )


class TokenOut(BaseModel):
    """A token's record; ``token`` (the secret) only in the answer that creates it."""

    id: str
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    token: str | None = None

    @classmethod
    def of(cls, token: ApiToken, secret: str | None = None) -> TokenOut:
        """From a repository record."""
        return cls(
            id=token.id,
            name=token.name,
            scopes=sorted(str(s) for s in token.scopes),
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
            token=secret,
        )


@router.get("/api/tokens", response_model=list[TokenOut])
def list_tokens(principal: CurrentUser, deps: Deps) -> list[TokenOut]:
    """Your API tokens (secrets are never shown again)."""
    return [TokenOut.of(t) for t in deps.auth.tokens.list(principal.user_id)]


@router.post("/api/tokens", response_model=TokenOut, status_code=201)
def create_token(request: Request, body: TokenIn, principal: CurrentUser, deps: Deps) -> TokenOut:
    """Create a bearer token for yourself; its scopes cannot exceed your permissions."""
    scopes = principal.permissions if body.scopes is None else frozenset(body.scopes)
    extra = scopes - principal.permissions
    if extra:
        raise HTTPException(403, f"you cannot grant {sorted(str(p) for p in extra)}")
    ttl = None if body.expires_days is None else timedelta(days=body.expires_days)
    secret, token = deps.auth.tokens.create(principal.user_id, body.name, scopes, ttl)
    details = {"name": body.name, "scopes": sorted(str(s) for s in scopes)}
    audit(request, "token.create", target=token.id, details=details)
    return TokenOut.of(token, secret)


@router.delete("/api/tokens/{token_id}", status_code=204)
def revoke_token(request: Request, token_id: str, principal: CurrentUser, deps: Deps) -> None:
    """Revoke one of your tokens (any token with ``manage_users``)."""
    token = deps.auth.tokens.get(token_id)
    mine = token is not None and token.user_id == principal.user_id
    if token is None or not (mine or principal.can(Permission.MANAGE_USERS)):
        raise HTTPException(404, f"no token {token_id!r}")
    deps.auth.tokens.revoke(token_id)
    audit(request, "token.revoke", target=token_id)


class UserOut(BaseModel):
    """A user as administrators see it."""

    id: str
    username: str
    role: Role
    cameras: list[str] | None
    sites: list[str] | None
    disabled: bool
    locked_until: datetime | None
    sso: bool

    @classmethod
    def of(cls, user: User) -> UserOut:
        """From a repository record."""
        return cls(
            id=user.id,
            username=user.username,
            role=user.role,
            cameras=None if user.cameras is None else sorted(user.cameras),
            sites=None if user.sites is None else sorted(user.sites),
            disabled=user.disabled,
            locked_until=user.locked_until,
            sso=user.oidc_subject is not None,
        )


class UserIn(BaseModel):
    """A new local user."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024, description="At least 10 characters.")
    role: Role
    cameras: list[str] | None = Field(None, description="Camera ids; null = all.")
    sites: list[str] | None = Field(None, description="Sites; null = all.")


class UserPatch(BaseModel):
    """Changes to a user; only the keys present are applied."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    cameras: list[str] | None = None
    sites: list[str] | None = None
    disabled: bool | None = None


@router.get("/api/users", response_model=list[UserOut])
def list_users(_admin: Admin, deps: Deps) -> list[UserOut]:
    """Every user."""
    return [UserOut.of(u) for u in deps.auth.users.list()]


@router.post("/api/users", response_model=UserOut, status_code=201)
def create_user(request: Request, body: UserIn, _admin: Admin, deps: Deps) -> UserOut:
    """Add a local user."""
    try:
        user = deps.auth.users.create(body.username, body.password, body.role)
        user = deps.auth.users.set_scope(user.username, body.cameras, body.sites)
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    details = {"role": str(body.role), "cameras": body.cameras, "sites": body.sites}
    audit(request, "user.create", target=user.username, details=details)
    return UserOut.of(user)


@router.patch("/api/users/{username}", response_model=UserOut)
async def update_user(
    request: Request, username: str, body: UserPatch, _admin: Admin, deps: Deps
) -> UserOut:
    """Change role, camera/site scope or disabled; the user's sessions end on any change."""
    users = deps.auth.users
    user = await run_in_threadpool(users.by_username, username)
    if user is None:
        raise HTTPException(404, f"no user {username!r}")
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if changes.get("role") is not None:
        user = await run_in_threadpool(users.set_role, username, changes["role"])
    if "cameras" in changes or "sites" in changes:
        cameras = changes.get("cameras", None if user.cameras is None else sorted(user.cameras))
        sites = changes.get("sites", None if user.sites is None else sorted(user.sites))
        user = await run_in_threadpool(users.set_scope, username, cameras, sites)
    if changes.get("disabled") is not None:
        user = await run_in_threadpool(users.set_disabled, username, changes["disabled"])
    await run_in_threadpool(deps.auth.sessions.revoke_user, user.id)
    details = {k: str(v) if isinstance(v, Role) else v for k, v in changes.items()}
    audit(request, "user.update", target=username, details=details)
    return UserOut.of(user)
