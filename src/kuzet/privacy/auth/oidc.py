"""OpenID Connect sign-in: discovery, authorization code + PKCE, ID-token validation.

The ID token's signature is checked with the issuer's JWKS, and its ``iss``,
``aud``, ``exp`` and ``nonce``; the ``state`` is bound to the browser by a
cookie (so a sign-in cannot be planted from another site). Pending sign-ins are
kept in memory for ten minutes (one API process, the embedded deployment).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import jwt

from kuzet.config.security import OidcConfig
from kuzet.core.roles import Role

PENDING_TTL_S = 600.0
HTTP_TIMEOUT_S = 10.0
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]


class OidcError(Exception):
    """Sign-in through the provider failed; ``str(error)`` is safe to show."""


@dataclass(frozen=True, slots=True)
class OidcIdentity:
    """Who the provider says signed in."""

    subject: str  # "<issuer>|<sub>": unique across providers
    username: str
    role: Role


@dataclass(frozen=True, slots=True)
class _Pending:
    nonce: str
    verifier: str
    redirect_uri: str
    next_url: str
    expires: float


def _fetch_json(request: urllib.request.Request | str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as resp:  # noqa: S310
            data = json.load(resp)
    except (OSError, ValueError) as error:
        raise OidcError(f"identity provider unreachable or invalid answer: {error}") from error
    if not isinstance(data, dict):
        raise OidcError("identity provider answered with something other than a JSON object")
    return data


@dataclass
class OidcClient:
    """One configured provider.

    Example:
        >>> client = OidcClient(config.security.oidc)  # doctest: +SKIP
        >>> url, state = client.begin("https://kz.local/auth/oidc/callback", "/")  # doctest: +SKIP
    """

    config: OidcConfig
    _discovery: dict[str, Any] | None = None
    _jwks: jwt.PyJWKClient | None = None
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def discovery(self) -> dict[str, Any]:
        """The provider's metadata (fetched once; its ``issuer`` must match the config)."""
        if self._discovery is None:
            issuer = self.config.issuer.rstrip("/")
            meta = _fetch_json(f"{issuer}/.well-known/openid-configuration")
            if str(meta.get("issuer", "")).rstrip("/") != issuer:
                raise OidcError(f"discovery names issuer {meta.get('issuer')!r}, not {issuer!r}")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(meta.get(key), str):
                    raise OidcError(f"discovery document lacks {key}")
            self._discovery = meta
            self._jwks = jwt.PyJWKClient(meta["jwks_uri"], timeout=int(HTTP_TIMEOUT_S))
        return self._discovery

    def begin(self, redirect_uri: str, next_url: str) -> tuple[str, str]:
        """Start a sign-in; returns ``(provider URL to redirect to, state)``."""
        meta = self.discovery()
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        now = time.monotonic()
        with self._lock:
            self._pending = {k: p for k, p in self._pending.items() if p.expires > now}
            self._pending[state] = _Pending(
                nonce, verifier, redirect_uri, next_url, now + PENDING_TTL_S
            )
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self.config.scopes),
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge.decode().rstrip("="),
                "code_challenge_method": "S256",
            }
        )
        return f"{meta['authorization_endpoint']}?{query}", state

    def finish(self, state: str, code: str) -> tuple[OidcIdentity, str]:
        """Exchange the code and validate the ID token; returns ``(identity, next URL)``.

        Raises:
            OidcError: Unknown/expired state, failed exchange, invalid token, no role.
        """
        with self._lock:
            pending = self._pending.pop(state, None)
        if pending is None or pending.expires < time.monotonic():
            raise OidcError("sign-in expired or was not started here; try again")
        tokens = self._exchange(code, pending)
        claims = self._validate(tokens.get("id_token"), pending.nonce)
        return self.identity(claims), pending.next_url

    def _exchange(self, code: str, pending: _Pending) -> dict[str, Any]:
        body = urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": pending.redirect_uri,
                "client_id": self.config.client_id,
                "code_verifier": pending.verifier,
            }
        ).encode()
        basic = f"{urllib.parse.quote(self.config.client_id)}:" + urllib.parse.quote(
            self.config.client_secret
        )
        request = urllib.request.Request(
            self.discovery()["token_endpoint"],
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Authorization": "Basic " + base64.b64encode(basic.encode()).decode(),
            },
        )
        return _fetch_json(request)

    def _validate(self, id_token: object, nonce: str) -> dict[str, Any]:
        if not isinstance(id_token, str):
            raise OidcError("the provider returned no ID token")
        self.discovery()
        assert self._jwks is not None  # set by discovery()
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token)
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.config.client_id,
                issuer=self.discovery()["issuer"],
                leeway=30,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise OidcError(f"invalid ID token: {error}") from error
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise OidcError("invalid ID token: nonce mismatch")
        aud = claims.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != self.config.client_id:
            raise OidcError("invalid ID token: azp is not this client")
        return claims

    def identity(self, claims: dict[str, Any]) -> OidcIdentity:
        """Map ID-token claims to a user name and a Kuzet role.

        Raises:
            OidcError: When the claims name no role and no ``default_role`` is set.
        """
        raw = claims.get(self.config.role_claim)
        names = raw if isinstance(raw, list) else [raw]
        roles = [Role(n) for n in names if isinstance(n, str) and n in Role._value2member_map_]
        role = roles[0] if roles else self.config.default_role
        if role is None:
            raise OidcError(f"your account has no Kuzet role (claim {self.config.role_claim!r})")
        username = str(claims.get(self.config.username_claim) or claims["sub"])
        return OidcIdentity(f"{claims['iss']}|{claims['sub']}", username, role)
