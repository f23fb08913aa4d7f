"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<body>`` with the endpoint's secret.

Headers of every delivery::

    X-Kuzet-Event: alarm            (alarm | incident | escalation)
    X-Kuzet-Delivery: 6f1c...       (the delivery's id; the same on every retry)
    X-Kuzet-Timestamp: 1764763200   (UNIX seconds of this attempt)
    X-Kuzet-Signature: v1=<hex>     (HMAC-SHA256(secret, timestamp + "." + body))

A receiver recomputes the signature over the raw body, compares in constant
time, and refuses a timestamp more than ``TOLERANCE_S`` away from its clock
(replay) and a delivery id it has already processed (duplicate retries).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

EVENT, DELIVERY, TIMESTAMP, SIGNATURE = (
    "X-Kuzet-Event", "X-Kuzet-Delivery", "X-Kuzet-Timestamp", "X-Kuzet-Signature",
)  # fmt: skip
SCHEME = "v1"
TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``.

    Example:
        >>> signature("0123456789abcdef", 1700000000, b"{}")[:3]
        'v1='
    """
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def signed_headers(secret: str, body: bytes, event: str, delivery_id: str,
                   timestamp: int) -> dict[str, str]:
    """The headers of one delivery attempt."""
    return {
        "Content-Type": "application/json", "User-Agent": "kuzet-webhooks/1",
        EVENT: event, DELIVERY: delivery_id, TIMESTAMP: str(timestamp),
        SIGNATURE: signature(secret, timestamp, body),
    }  # fmt: skip


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float,
           tolerance_s: float = TOLERANCE_S) -> bool:
    """Whether a received delivery is authentic and fresh (what a receiver does).

    Args:
        secret: The shared secret.
        headers: Request headers (names in any case).
        body: The raw request body, exactly as received.
        now: The receiver's UNIX time.
        tolerance_s: Largest accepted clock difference.
    """
    lower = {name.lower(): value for name, value in headers.items()}
    try:
        timestamp = int(lower[TIMESTAMP.lower()])
        given = lower[SIGNATURE.lower()]
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(given, signature(secret, timestamp, body))
