"""``kuzet users`` / ``kuzet tokens`` and the demo's first-run admin."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.cli.users import ensure_demo_admin
from kuzet.core.roles import Role
from kuzet.privacy.audit import AuditLog, AuditQuery
from kuzet.privacy.auth import AuthService
from kuzet.privacy.principal import Permission
from kuzet.store import open_store

PASSWORD = "cli-password-123"


def _run(tmp_path: Path, *args: str, stdin: str = "") -> str:
    result = CliRunner().invoke(app, [*args, "--data-dir", str(tmp_path)], input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def test_users_and_tokens_lifecycle(tmp_path: Path) -> None:
    assert "created (admin)" in _run(tmp_path, "users", "create-admin", stdin=PASSWORD + "\n")
    _run(
        tmp_path,
        "users",
        "add",
        "ana",
        "--role",
        "operator",
        "--camera",
        "gate",
        stdin=PASSWORD + "\n",
    )
    listing = _run(tmp_path, "users", "list")
    assert "ana\toperator\tcameras=gate" in listing and "admin\tadmin\tcameras=all" in listing
    token = _run(tmp_path, "tokens", "create", "ana", "--name", "ci", "--scope", "view_live")
    secret = token.strip().splitlines()[-1]
    assert secret.startswith("kz_")
    _run(tmp_path, "users", "set-role", "ana", "supervisor")
    _run(tmp_path, "users", "set-cameras", "ana", "--all")
    _run(tmp_path, "users", "disable", "ana")
    store = open_store(None, tmp_path)
    try:
        auth = AuthService.from_engine(store.engine)
        ana = auth.users.by_username("ana")
        assert ana is not None and ana.role == Role.SUPERVISOR and ana.cameras is None
        assert ana.disabled and auth.from_token(secret) is None
        assert PASSWORD not in "\n".join(store.engine.raw_connection().iterdump())  # type: ignore[attr-defined]
        actions = [r.action for r in AuditLog(store.engine).list(AuditQuery()).items]
        assert {"user.create", "token.create", "user.role", "user.scope", "user.disable"} <= set(
            actions
        )
        token_id = auth.tokens.list()[0].id
    finally:
        store.close()
    assert "revoked" in _run(tmp_path, "tokens", "revoke", token_id)


def test_refusals(tmp_path: Path) -> None:
    runner = CliRunner()
    short = runner.invoke(app, ["users", "create-admin", "--data-dir", str(tmp_path)], input="x\n")
    assert short.exit_code == 2 and "at least 10" in short.output
    _run(tmp_path, "users", "create-admin", stdin=PASSWORD + "\n")
    again = runner.invoke(
        app, ["users", "create-admin", "--data-dir", str(tmp_path)], input=PASSWORD + "\n"
    )
    assert again.exit_code == 2 and "already exists" in again.output
    bad_role = runner.invoke(
        app, ["users", "set-role", "admin", "root", "--data-dir", str(tmp_path)]
    )
    assert bad_role.exit_code == 2 and "unknown role" in bad_role.output
    too_wide = runner.invoke(
        app,
        [
            "tokens",
            "create",
            "admin",
            "--name",
            "x",
            "--scope",
            "view_audit",
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert too_wide.exit_code == 2 and "lacks" in too_wide.output


def test_reset_password_clears_lockout(tmp_path: Path) -> None:
    _run(tmp_path, "users", "create-admin", stdin=PASSWORD + "\n")
    _run(tmp_path, "users", "reset-password", "admin", stdin="new-password-456\n")
    store = open_store(None, tmp_path)
    try:
        auth = AuthService.from_engine(store.engine)
        auth.login("admin", "new-password-456", None)
        assert auth.users.by_username("admin") is not None
    finally:
        store.close()


def test_demo_admin_is_created_once_and_printed_once(tmp_path: Path, capsys: object) -> None:
    store = open_store(None, tmp_path)
    try:
        ensure_demo_admin(store.engine)
        first = capsys.readouterr().out  # type: ignore[attr-defined]
        password = first.split("password: ")[1].split()[0]
        ensure_demo_admin(store.engine)
        second = capsys.readouterr().out  # type: ignore[attr-defined]
        assert "kuzet users reset-password admin" in second and password not in second
        auth = AuthService.from_engine(store.engine)
        _, _, user = auth.login("admin", password, None)
        assert Permission.MANAGE_USERS in user.principal().permissions
        assert password not in "\n".join(store.engine.raw_connection().iterdump())  # type: ignore[attr-defined]
    finally:
        store.close()
