"""OIDC sign-in against a tiny fake identity provider served on 127.0.0.1 in the test."""

from __future__ import annotations

import base64
import hashlib
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Header, HTTPException, Request
from fastapi.responses import RedirectResponse
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import serve_in_thread
from kuzet.config.security import OidcConfig, SecurityConfig
from kuzet.core.roles import Role
from kuzet.privacy.auth import AuthService

CLIENT_ID, CLIENT_SECRET = "kuzet-console", "idp-shared-secret"


class FakeIdp:
    """Discovery, authorize (auto-approves), token (checks secret + PKCE), JWKS."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict[str, Any] = {"sub": "u-1", "preferred_username": "olga"}
        self.claims["roles"] = ["supervisor"]
        self.sign_with: Any = self.key
        self.codes: dict[str, dict[str, str]] = {}
        self.app = FastAPI()
        self._routes()

    def _routes(self) -> None:
        app = self.app

        @app.get("/.well-known/openid-configuration")
        def discovery(request: Request) -> dict[str, Any]:
            base = str(request.base_url).rstrip("/")
            return {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return {"keys": [jwk | {"kid": "k1", "use": "sig", "alg": "RS256"}]}

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            q = request.query_params
            assert q["client_id"] == CLIENT_ID and q["code_challenge_method"] == "S256"
            code = f"code-{len(self.codes)}"
            self.codes[code] = dict(q) | {"issuer": str(request.base_url).rstrip("/")}
            query = urllib.parse.urlencode({"code": code, "state": q["state"]})
            return RedirectResponse(f"{q['redirect_uri']}?{query}", status_code=302)

        @app.post("/token")
        def token(
            code: str = Form(),
            code_verifier: str = Form(),
            redirect_uri: str = Form(),
            authorization: str = Header(),
        ) -> dict[str, Any]:
            sent = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            if sent != f"{CLIENT_ID}:{CLIENT_SECRET}" or code not in self.codes:
                raise HTTPException(401, "invalid_client")
            grant = self.codes.pop(code)
            digest = hashlib.sha256(code_verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            assert challenge == grant["code_challenge"] and redirect_uri == grant["redirect_uri"]
            now = int(time.time())
            claims = {"iss": grant["issuer"], "aud": CLIENT_ID, "iat": now, "exp": now + 300}
            claims |= {"nonce": grant["nonce"]} | self.claims
            id_token = jwt.encode(claims, self.sign_with, "RS256", headers={"kid": "k1"})
            return {"access_token": "at", "token_type": "Bearer", "id_token": id_token}


@pytest.fixture
def idp() -> Iterator[tuple[FakeIdp, str]]:
    fake = FakeIdp()
    with serve_in_thread(fake.app) as url:
        yield fake, url


def _kuzet(deps: AppDeps, issuer: str, **oidc: Any) -> TestClient:
    config = OidcConfig(issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **oidc)
    deps.security = SecurityConfig(oidc=config)
    deps.auth = AuthService.from_engine(deps.store.engine, deps.security)
    return TestClient(create_app(deps), follow_redirects=False)


def _sign_in(client: TestClient, next_url: str = "/") -> httpx.Response:
    start = client.get(f"/auth/oidc/login?next={next_url}")
    assert start.status_code == 303, start.text
    at_idp = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_idp.status_code == 302
    back = urllib.parse.urlsplit(at_idp.headers["location"])
    assert back.path == "/auth/oidc/callback"
    return client.get(f"{back.path}?{back.query}")


def test_oidc_sign_in_provisions_user_with_mapped_role(
    deps: AppDeps, idp: tuple[FakeIdp, str]
) -> None:
    fake, url = idp
    client = _kuzet(deps, url)
    assert 'data-testid="login-oidc"' in client.get("/login").text
    done = _sign_in(client, "/events/x")
    assert done.status_code == 303 and done.headers["location"] == "/events/x"
    me = client.get("/auth/me").json()
    assert me["username"] == "olga" and me["role"] == "supervisor"
    user = deps.auth.users.by_username("olga")
    assert user is not None and user.oidc_subject == f"{url}|u-1"

    fake.claims["roles"] = ["analyst"]  # the IdP is the source of truth for the role
    second = TestClient(create_app(deps), follow_redirects=False)
    assert _sign_in(second).status_code == 303
    assert second.get("/auth/me").json()["role"] == "analyst"
    assert len(deps.auth.users.list()) == 2  # admin + olga, not a new account


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("foreign_key", "invalid ID token"),
        ("no_role", "no Kuzet role"),
        ("local_name", "belongs to another account"),
    ],
)
def test_oidc_refusals(deps: AppDeps, idp: tuple[FakeIdp, str], change: str, message: str) -> None:
    fake, url = idp
    if change == "foreign_key":
        fake.sign_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif change == "no_role":
        fake.claims.pop("roles")
    else:
        fake.claims["preferred_username"] = "admin"  # the local admin of the fixture
    client = _kuzet(deps, url)
    resp = _sign_in(client)
    assert resp.status_code == 401 and message in resp.text
    assert client.get("/auth/me").status_code == 401


def test_oidc_default_role_and_state_binding(deps: AppDeps, idp: tuple[FakeIdp, str]) -> None:
    fake, url = idp
    fake.claims["roles"] = ["not-a-kuzet-role"]
    client = _kuzet(deps, url, default_role=Role.OPERATOR)
    start = client.get("/auth/oidc/login")
    at_idp = httpx.get(start.headers["location"], follow_redirects=False)
    back = urllib.parse.urlsplit(at_idp.headers["location"])
    # another browser (without the state cookie) cannot complete this sign-in
    other = TestClient(create_app(deps), follow_redirects=False)
    assert other.get(f"{back.path}?{back.query}").status_code == 401
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 303 and client.get("/auth/me").json()["role"] == "operator"
    # a code and state are single use
    assert client.get(f"{back.path}?{back.query}").status_code == 401
