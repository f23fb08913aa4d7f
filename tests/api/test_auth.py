"""Sign-in, sign-out, CSRF, lockout, throttling, tokens (scope, revocation, expiry), users API."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from api_factories import PASSWORD, bearer, make_user, sign_in
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.api.auth import CSRF_COOKIE, SESSION_COOKIE
from kuzet.privacy.audit import AuditQuery
from kuzet.privacy.auth.models import ApiTokenRow
from kuzet.privacy.principal import Permission


def test_json_login_sets_strict_httponly_cookie(anon: TestClient) -> None:
    resp = anon.post("/auth/login", json={"username": "admin", "password": PASSWORD})
    assert resp.status_code == 200 and resp.json()["role"] == "admin"
    cookies = resp.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in session and "SameSite=strict" in session and "Secure" not in session
    csrf = next(c for c in cookies if c.startswith(CSRF_COOKIE + "="))
    assert "HttpOnly" not in csrf
    assert anon.get("/auth/me").json()["username"] == "admin"


def test_cookie_is_secure_over_https(deps: AppDeps) -> None:
    with TestClient(create_app(deps), base_url="https://testserver") as client:
        resp = client.post("/auth/login", json={"username": "admin", "password": PASSWORD})
        assert all("Secure" in c for c in resp.headers.get_list("set-cookie"))


def test_form_login_redirects_to_next_and_rejects_foreign_targets(anon: TestClient) -> None:
    form = {"username": "admin", "password": PASSWORD, "next": "/events/x"}
    resp = anon.post("/auth/login", data=form)
    assert resp.status_code == 303 and resp.headers["location"] == "/events/x"
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        resp = anon.post("/auth/login", data=form | {"next": evil})
        assert resp.headers["location"] == "/"


def test_wrong_password_shows_message_on_form(anon: TestClient) -> None:
    resp = anon.post("/auth/login", data={"username": "admin", "password": "nope-nope-nope"})
    assert resp.status_code == 401 and "invalid username or password" in resp.text
    unknown = anon.post("/auth/login", json={"username": "ghost", "password": "x" * 12})
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == "invalid username or password"  # no user enumeration


def test_cross_origin_login_refused(anon: TestClient) -> None:
    resp = anon.post(
        "/auth/login",
        data={"username": "admin", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert resp.status_code == 403


def test_logout_needs_csrf_and_ends_the_session(anon: TestClient) -> None:
    csrf = sign_in(anon)
    del anon.headers["X-CSRF-Token"]
    assert anon.post("/auth/logout").status_code == 403  # cookie alone is not enough
    assert anon.post("/auth/logout", data={"csrf_token": "forged"}).status_code == 403
    resp = anon.post("/auth/logout", data={"csrf_token": csrf})
    assert resp.status_code == 303 and resp.headers["location"] == "/login"
    assert anon.get("/api/cameras").status_code == 401


def test_revoked_session_cookie_is_useless(anon: TestClient, deps: AppDeps) -> None:
    sign_in(anon)
    stolen = anon.cookies[SESSION_COOKIE]
    anon.post("/auth/logout", headers={"Accept": "application/json"})
    anon.cookies.set(SESSION_COOKIE, stolen)
    assert anon.get("/api/cameras").status_code == 401


def test_state_changing_api_call_needs_csrf_with_cookie(anon: TestClient) -> None:
    csrf = sign_in(anon)
    del anon.headers["X-CSRF-Token"]
    assert anon.post("/api/tokens", json={"name": "x"}).status_code == 403
    ok = anon.post("/api/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_lockout_after_five_failures(anon: TestClient, deps: AppDeps) -> None:
    bad = {"username": "admin", "password": "wrong-password"}
    for _ in range(4):
        assert anon.post("/auth/login", json=bad).status_code == 401
    locked = anon.post("/auth/login", json=bad)
    assert locked.status_code == 401 and "locked until" in locked.json()["detail"]
    good = anon.post("/auth/login", json={"username": "admin", "password": PASSWORD})
    assert good.status_code == 401 and "locked" in good.json()["detail"]
    actions = [r.action for r in deps.audit.list(AuditQuery()).items]
    assert actions.count("auth.login_failed") >= 5 and "auth.lockout" in actions


def test_per_ip_throttle(anon: TestClient, deps: AppDeps) -> None:
    for i in range(deps.security.ip_max_failures):
        anon.post("/auth/login", json={"username": f"ghost{i}", "password": "x" * 12})
    resp = anon.post("/auth/login", json={"username": "admin", "password": PASSWORD})
    assert resp.status_code == 429 and int(resp.headers["retry-after"]) > 0
    assert "too many failed sign-ins from your address" in resp.json()["detail"]


def test_bearer_token_scope(anon: TestClient, deps: AppDeps) -> None:
    live_only = bearer(deps, scopes=frozenset({Permission.VIEW_LIVE}))
    assert anon.get("/api/cameras", headers=live_only).status_code == 200
    assert anon.get("/api/events", headers=live_only).status_code == 403
    assert anon.get("/api/users", headers=live_only).status_code == 403
    # bearer clients need no CSRF token
    full = bearer(deps)
    assert anon.post("/api/tokens", json={"name": "ci"}, headers=full).status_code == 201
    assert anon.get("/api/cameras", headers={"Authorization": "Bearer kz_nope"}).status_code == 401
    assert anon.get("/api/cameras", headers={"Authorization": "Basic YTpi"}).status_code == 401


def test_token_cannot_exceed_its_creator(client: TestClient) -> None:
    resp = client.post("/api/tokens", json={"name": "x", "scopes": ["view_audit"]})
    assert resp.status_code == 403  # admins do not read the audit trail


def test_token_revocation_and_expiry(client: TestClient, deps: AppDeps) -> None:
    created = client.post("/api/tokens", json={"name": "cam-script", "scopes": ["view_live"]})
    body = created.json()
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert body["token"].startswith("kz_") and body["scopes"] == ["view_live"]
    assert client.get("/api/cameras", headers=headers).status_code == 200
    listed = client.get("/api/tokens").json()
    assert [t["token"] for t in listed] == [None]  # the secret is shown once
    assert client.delete(f"/api/tokens/{body['id']}").status_code == 204
    assert TestClient(create_app(deps)).get("/api/cameras", headers=headers).status_code == 401

    user = deps.auth.users.by_username("admin")
    assert user is not None
    secret, token = deps.auth.tokens.create(user.id, "old", {Permission.VIEW_LIVE}, None)
    with deps.store.engine.begin() as conn:
        past = datetime.now(UTC) - timedelta(seconds=1)
        conn.execute(
            ApiTokenRow.__table__.update()  # type: ignore[attr-defined]
            .where(ApiTokenRow.id == token.id)
            .values(expires_at=past)
        )
    fresh = TestClient(create_app(deps))
    assert (
        fresh.get("/api/cameras", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_only_hashes_are_stored(client: TestClient, deps: AppDeps) -> None:
    secret = client.post("/api/tokens", json={"name": "x"}).json()["token"]
    dump = "\n".join(deps.store.engine.raw_connection().iterdump())  # type: ignore[attr-defined]
    assert secret not in dump and PASSWORD not in dump
    assert client.cookies[SESSION_COOKIE] not in dump
    assert "$argon2id$" in dump


def test_disabled_user_loses_access(client: TestClient, deps: AppDeps) -> None:
    make_user(deps, "ana", "operator")
    other = TestClient(create_app(deps))
    sign_in(other, "ana")
    token = bearer(deps, "ana")
    assert client.patch("/api/users/ana", json={"disabled": True}).status_code == 200
    assert other.get("/api/cameras").status_code == 401
    assert other.get("/api/cameras", headers=token).status_code == 401
    resp = other.post("/auth/login", json={"username": "ana", "password": PASSWORD})
    assert resp.status_code == 401 and "disabled" in resp.json()["detail"]


def test_users_api_sets_scope_and_role(client: TestClient, deps: AppDeps) -> None:
    new = {"username": "ana", "password": PASSWORD, "role": "operator", "cameras": ["gate"]}
    assert client.post("/api/users", json=new).json()["cameras"] == ["gate"]
    assert client.post("/api/users", json=new).status_code == 400  # taken
    weak = new | {"username": "bob", "password": "short"}
    assert client.post("/api/users", json=weak).status_code == 400
    patched = client.patch("/api/users/ana", json={"role": "supervisor", "cameras": None})
    assert patched.json()["role"] == "supervisor" and patched.json()["cameras"] is None
    ana = TestClient(create_app(deps))
    sign_in(ana, "ana")
    assert ana.get("/api/users").status_code == 403
    actions = [r.action for r in deps.audit.list(AuditQuery()).items]
    assert {"user.create", "user.update", "auth.login"} <= set(actions)


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("auditor", "/api/cameras", 403),
        ("auditor", "/api/events", 403),
        ("analyst", "/api/cameras", 403),
        ("analyst", "/api/events", 200),
        ("operator", "/api/cameras", 200),
        ("field_officer", "/api/events", 200),
    ],
)
def test_role_permissions_on_routes(deps: AppDeps, role: str, path: str, status: int) -> None:
    make_user(deps, "u", role)
    client = TestClient(create_app(deps))
    sign_in(client, "u")
    assert client.get(path).status_code == status
    page = client.get("/", headers={"Accept": "text/html"})  # -> the role's home
    assert page.status_code == 200, page.url
    if page.url.path == "/field":  # the field app has its own header: the name only
        assert 'data-testid="user-name">u<' in page.text
    else:
        assert f'data-testid="user-role">{role}<' in page.text


def test_search_and_snapshot_views_are_audited(client: TestClient, deps: AppDeps) -> None:
    client.get("/api/events?camera=gate&kind=loitering")
    records = deps.audit.list(AuditQuery()).items
    search = next(r for r in records if r.action == "event.search")
    assert search.actor == "admin" and search.details == {"query": "camera=gate&kind=loitering"}


def test_open_sse_stream_ends_when_token_is_revoked(server: str, deps: AppDeps) -> None:
    import httpx

    user = deps.auth.users.by_username("admin")
    assert user is not None
    secret, token = deps.auth.tokens.create(user.id, "sse", {Permission.VIEW_EVENTS}, None)
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"{server}/api/events/stream"
    with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(5.0)) as resp:
        lines = resp.iter_lines()
        assert next(line for line in lines if line.startswith("event: ")) == "event: ready"
        deps.auth.tokens.revoke(token.id)
        rest = list(lines)  # ends (instead of timing out) once the revocation is noticed
    assert all(line.startswith((": heartbeat", "")) for line in rest)


def test_open_mjpeg_stream_ends_when_token_is_revoked(server: str, deps: AppDeps) -> None:
    import httpx

    user = deps.auth.users.by_username("admin")
    assert user is not None
    secret, token = deps.auth.tokens.create(user.id, "wall", {Permission.VIEW_LIVE}, None)
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"{server}/api/cameras/gate/live.mjpg"
    with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(10.0)) as resp:
        chunks = resp.iter_bytes()
        assert resp.status_code == 200 and next(chunks)
        deps.auth.tokens.revoke(token.id)
        started = time.monotonic()
        for _ in chunks:  # ends (instead of streaming for ever) once the revocation is noticed
            assert time.monotonic() - started < 8, "the stream outlived its revoked token"
    assert time.monotonic() - started < 8


@pytest.mark.parametrize(
    ("proxies", "expected"), [(["127.0.0.1"], "203.0.113.9"), (["10.0.0.1"], "127.0.0.1")]
)
def test_client_address_comes_from_trusted_proxies_only(
    deps: AppDeps, proxies: list[str], expected: str
) -> None:
    """Behind a reverse proxy the audit trail names the real client, never a forged one."""
    import httpx

    from kuzet.api.testing import serve_in_thread

    with serve_in_thread(create_app(deps), trusted_proxies=proxies) as url:
        answer = httpx.post(f"{url}/auth/login", headers={"X-Forwarded-For": "203.0.113.9"},
                            json={"username": "admin", "password": "not-the-password"})
    assert answer.status_code == 401
    failed = [r for r in deps.audit.list(AuditQuery()).items if r.action == "auth.login_failed"]
    assert [r.ip for r in failed] == [expected]
