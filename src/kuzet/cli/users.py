"""``kuzet users ...`` and ``kuzet tokens ...``: accounts, roles, camera scope, API tokens.

There is no default password anywhere: passwords are typed twice at a terminal, or
read from the first line of stdin when it is not a terminal (for scripts). Every
change is written to the audit trail with the actor ``cli:<os user>``.
"""

from __future__ import annotations

import getpass
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kuzet.cli.audit import ConfigOpt, DataDirOpt, open_data, resolve, signed_audit

if TYPE_CHECKING:
    from kuzet.privacy.audit import AuditLog
    from kuzet.privacy.auth import AuthService

users_app = typer.Typer(
    name="users", help="User accounts, roles and camera scope.", no_args_is_help=True
)
tokens_app = typer.Typer(
    name="tokens", help="API tokens (Authorization: Bearer kz_...).", no_args_is_help=True
)

UserArg = Annotated[str, typer.Argument(help="User name.")]


@dataclass
class _Ctx:
    auth: AuthService
    audit: AuditLog
    actor: str

    def record(self, action: str, target: str, details: dict[str, Any] | None = None) -> None:
        self.audit.record(action, actor=self.actor, target=target, details=details)


@contextmanager
def _open(config: Path | None, data_dir: Path | None) -> Iterator[_Ctx]:
    from kuzet.privacy.auth import AuthService

    folder = resolve(data_dir)
    with open_data(config, folder) as store, signed_audit(store.engine, folder) as audit:
        yield _Ctx(AuthService.from_engine(store.engine), audit, f"cli:{getpass.getuser()}")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def read_password(prompt: str = "Password") -> str:
    """Prompt twice at a terminal; otherwise the first line of stdin."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"{prompt}: ")
        if getpass.getpass(f"{prompt} (again): ") != password:
            _fail("the passwords differ")
    from kuzet.privacy.auth.passwords import check_policy

    try:
        check_policy(password)
    except ValueError as error:
        _fail(str(error))
    return password


def _add(
    ctx: _Ctx, username: str, role: str, cameras: list[str] | None, sites: list[str] | None
) -> None:
    from kuzet.privacy.roles import parse_role

    try:
        parsed = parse_role(role)
        if ctx.auth.users.by_username(username) is not None:
            raise ValueError(f"user {username!r} already exists")
        ctx.auth.users.create(username, read_password(), parsed)
        if cameras is not None or sites is not None:
            ctx.auth.users.set_scope(username, cameras, sites)
    except ValueError as error:
        _fail(str(error))
    ctx.record("user.create", username, {"role": role, "cameras": cameras, "sites": sites})
    typer.echo(f"user {username} created ({role})")


@users_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="Admin user name.")] = "admin",
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Create an administrator (password prompted twice, or read from stdin)."""
    with _open(config, data_dir) as ctx:
        _add(ctx, username, "admin", None, None)


@users_app.command("add")
def add(
    username: UserArg,
    role: Annotated[
        str, typer.Option(help="operator, supervisor, analyst, field_officer, admin or auditor.")
    ],
    camera: Annotated[list[str] | None, typer.Option(help="Camera id in scope; repeat.")] = None,
    site: Annotated[list[str] | None, typer.Option(help="Site in scope; repeat.")] = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Add a user; without --camera/--site the user sees every camera."""
    with _open(config, data_dir) as ctx:
        _add(ctx, username, role, camera, site)


@users_app.command("list")
def list_users(data_dir: DataDirOpt = None, config: ConfigOpt = None) -> None:
    """Every user with role, scope and state."""
    with _open(config, data_dir) as ctx:
        for user in ctx.auth.users.list():
            cams = "all" if user.cameras is None else ",".join(sorted(user.cameras)) or "-"
            sites = "all" if user.sites is None else ",".join(sorted(user.sites)) or "-"
            state = "disabled" if user.disabled else "active"
            if user.locked_until is not None:
                state += f", locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
            typer.echo(
                f"{user.username}\t{user.role.value}\tcameras={cams}\tsites={sites}\t{state}"
            )


def _change(ctx: _Ctx, username: str, action: str, details: dict[str, Any], **change: Any) -> None:
    users = ctx.auth.users
    try:
        user = users.update(username, **change)
    except KeyError:
        _fail(f"no user {username!r}")
        return
    ctx.auth.sessions.revoke_user(user.id)
    ctx.record(action, username, details)
    typer.echo(f"user {username}: {action.split('.')[1]} {details}")


@users_app.command("disable")
def disable(username: UserArg, data_dir: DataDirOpt = None, config: ConfigOpt = None) -> None:
    """Disable a user: no sign-in, no token use; open sessions end."""
    with _open(config, data_dir) as ctx:
        _change(ctx, username, "user.disable", {"disabled": True}, disabled=True)


@users_app.command("enable")
def enable(username: UserArg, data_dir: DataDirOpt = None, config: ConfigOpt = None) -> None:
    """Enable a disabled user."""
    with _open(config, data_dir) as ctx:
        _change(ctx, username, "user.enable", {"disabled": False}, disabled=False)


@users_app.command("set-role")
def set_role(
    username: UserArg,
    role: Annotated[str, typer.Argument(help="The new role.")],
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Change a user's role (their sessions end)."""
    from kuzet.privacy.roles import parse_role

    try:
        parsed = parse_role(role)
    except ValueError as error:
        _fail(str(error))
        return
    with _open(config, data_dir) as ctx:
        _change(ctx, username, "user.role", {"role": role}, role=str(parsed))


@users_app.command("set-cameras")
def set_cameras(
    username: UserArg,
    cameras: Annotated[list[str] | None, typer.Argument(help="Camera ids in scope.")] = None,
    site: Annotated[list[str] | None, typer.Option(help="Site in scope; repeat.")] = None,
    all_cameras: Annotated[bool, typer.Option("--all", help="Every camera (no scope).")] = False,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Limit a user to some cameras and/or sites (``--all`` lifts the limit)."""
    cams = None if all_cameras else sorted(set(cameras or []))
    sites = None if all_cameras or not site else sorted(set(site))
    if not all_cameras and not cams and not sites:
        _fail("name cameras or --site, or give --all")
    with _open(config, data_dir) as ctx:
        _change(
            ctx,
            username,
            "user.scope",
            {"cameras": cams, "sites": sites},
            cameras=cams,
            sites=sites,
        )


@users_app.command("reset-password")
def reset_password(
    username: UserArg, data_dir: DataDirOpt = None, config: ConfigOpt = None
) -> None:
    """Set a new password (prompted), clear a lockout and end the user's sessions."""
    with _open(config, data_dir) as ctx:
        from kuzet.privacy.auth.passwords import hash_password

        password = read_password("New password")
        _change(
            ctx,
            username,
            "user.password",
            {},
            password_hash=hash_password(password),
            failed_count=0,
            locked_until=None,
        )


@tokens_app.command("create")
def create_token(
    username: UserArg,
    name: Annotated[str, typer.Option(help="What the token is for.")],
    scope: Annotated[
        list[str] | None, typer.Option(help="Permission; repeat (default: all of the user's).")
    ] = None,
    expires_days: Annotated[
        float, typer.Option(help="Lifetime in days, at most 3650; 0 = never.")
    ] = 90,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Create an API token; the secret is printed once and stored only as a digest."""
    from kuzet.privacy.auth.tokens import MAX_TOKEN_DAYS
    from kuzet.privacy.roles import parse_permissions

    if not (math.isfinite(expires_days) and 0 <= expires_days <= MAX_TOKEN_DAYS):
        _fail(f"--expires-days must be 0..{MAX_TOKEN_DAYS} (0 = never), got {expires_days:g}")

    with _open(config, data_dir) as ctx:
        user = ctx.auth.users.by_username(username)
        if user is None:
            _fail(f"no user {username!r}")
            return
        role_perms = user.principal().permissions
        try:
            scopes = role_perms if not scope else parse_permissions(scope)
        except ValueError as error:
            _fail(str(error))
            return
        if not scopes <= role_perms:
            _fail(f"role {user.role.value} lacks {sorted(str(p) for p in scopes - role_perms)}")
        ttl = timedelta(days=expires_days) if expires_days > 0 else None
        secret, token = ctx.auth.tokens.create(user.id, name, scopes, ttl)
        ctx.record(
            "token.create",
            token.id,
            {"user": username, "name": name, "scopes": sorted(str(s) for s in scopes)},
        )
        typer.echo(f"token {token.id} for {username} (shown once, keep it secret):", err=True)
        typer.echo(secret)


@tokens_app.command("list")
def list_tokens(
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Tokens (ids, names, scopes, expiry; never the secrets)."""
    with _open(config, data_dir) as ctx:
        user = ctx.auth.users.by_username(username) if username else None
        names = {u.id: u.username for u in ctx.auth.users.list()}
        for token in ctx.auth.tokens.list(user.id if user else None):
            state = "revoked" if token.revoked_at else f"expires {token.expires_at or 'never'}"
            scopes = ",".join(sorted(str(s) for s in token.scopes))
            typer.echo(f"{token.id}\t{names.get(token.user_id)}\t{token.name}\t{scopes}\t{state}")


@tokens_app.command("revoke")
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="Token id (from `kuzet tokens list`).")],
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Revoke a token at once."""
    with _open(config, data_dir) as ctx:
        if not ctx.auth.tokens.revoke(token_id):
            _fail(f"no active token {token_id!r}")
        ctx.record("token.revoke", token_id)
        typer.echo(f"token {token_id} revoked")


def ensure_demo_admin(store_engine: Any, data_dir: Path | None = None) -> None:
    """First run of the demo: create ``admin`` with a generated password, print it once.

    With ``data_dir`` the audit record is signed by a checkpoint at once.
    """
    from kuzet.core.roles import Role
    from kuzet.privacy.audit import AuditLog
    from kuzet.privacy.auth import AuthService
    from kuzet.privacy.auth.passwords import generate_password

    auth = AuthService.from_engine(store_engine)
    if auth.has_admin():
        typer.echo(
            "An admin account exists (forgot the password? `kuzet users reset-password admin`)."
        )
        return
    password = generate_password()
    auth.users.create("admin", password, Role.ADMIN)
    details = {"role": "admin"}
    if data_dir is None:
        AuditLog(store_engine).record("user.create", actor="kuzet demo", target="admin",
                                      details=details)
    else:
        with signed_audit(store_engine, data_dir) as audit:
            audit.record("user.create", actor="kuzet demo", target="admin", details=details)
    typer.echo(
        "Created the demo administrator. This password is shown ONCE, write it down:\n"
        f"  user: admin\n  password: {password}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``users`` and ``tokens`` command groups."""
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
