"""Webhook signatures: what a receiver accepts and refuses."""

from __future__ import annotations

import pytest

from kuzet.integrations.signing import SIGNATURE, TIMESTAMP, signature, signed_headers, verify

SECRET = "0123456789abcdef-secret"
BODY = b'{"type":"alarm","id":"ev-1"}'
NOW = 1_764_763_200


def _headers(**changes: str) -> dict[str, str]:
    headers = signed_headers(SECRET, BODY, "alarm", "d1", NOW)
    headers.update(changes)
    return headers


@pytest.mark.parametrize(("headers", "body", "secret", "now", "ok"), [
    (_headers(), BODY, SECRET, NOW, True),
    (_headers(), BODY, SECRET, NOW + 299, True),                  # within tolerance
    (_headers(), BODY, SECRET, NOW + 301, False),                 # replayed later
    (_headers(), BODY, SECRET, NOW - 301, False),
    (_headers(), BODY + b" ", SECRET, NOW, False),                # body changed
    (_headers(), BODY, SECRET + "x", NOW, False),                 # other secret
    (_headers(**{TIMESTAMP: str(NOW + 1)}), BODY, SECRET, NOW, False),  # timestamp changed
    (_headers(**{TIMESTAMP: "soon"}), BODY, SECRET, NOW, False),
    ({k: v for k, v in _headers().items() if k != SIGNATURE}, BODY, SECRET, NOW, False),
])  # fmt: skip
def test_verify(headers: dict[str, str], body: bytes, secret: str, now: int, ok: bool) -> None:
    assert verify(secret, headers, body, now) is ok


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), b"1764763200." + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, NOW, BODY) == f"v1={expected}"
    assert _headers()["X-Kuzet-Signature"] == f"v1={expected}"

