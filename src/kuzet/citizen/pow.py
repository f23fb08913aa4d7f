"""Proof of work that needs no third party: the server issues, the browser hashes.

A challenge is ``"<issued>.<expires>.<bits>.<salt>.<mac>"`` (HMAC-SHA256 over the
rest with the server's key), so the server keeps no state until it is spent.
The client finds a ``nonce`` such that ``SHA-256(challenge + ":" + nonce)``
starts with ``bits`` zero bits (hashcash); the browser does it with WebCrypto.
Each challenge is accepted once (spent challenges are remembered until expiry).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from kuzet.citizen.errors import Reason, Rejected

MAX_NONCE_LENGTH = 32
MAX_SPENT = 200_000


@dataclass(frozen=True, slots=True)
class Challenge:
    """What the client solves: the challenge text, bits wanted, expiry (UNIX seconds)."""

    challenge: str
    bits: int
    expires_at: float


def leading_zero_bits(digest: bytes) -> int:
    """Number of leading zero bits of ``digest``.

    Example:
        >>> leading_zero_bits(bytes([0, 0x1F]))
        11
    """
    count = 0
    for byte in digest:
        if byte:
            return count + 8 - byte.bit_length()
        count += 8
    return count


def solve(challenge: str, bits: int) -> str:
    """Find a nonce (what the browser does; used by tests and scripted clients)."""
    nonce = 0
    while not meets(challenge, str(nonce), bits):
        nonce += 1
    return str(nonce)


def meets(challenge: str, nonce: str, bits: int) -> bool:
    """Whether ``nonce`` solves ``challenge`` at ``bits``."""
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    return leading_zero_bits(digest) >= bits


class ProofOfWork:
    """Issues and checks challenges.

    Args:
        key: HMAC key (the config's ``citizen.secret`` or a random one).
        bits: Difficulty; 0 = every submission passes (no challenge needed).
        ttl_s: Seconds a challenge stays valid.

    Example:
        >>> pow_ = ProofOfWork(b"k" * 32, bits=4, ttl_s=60)
        >>> c = pow_.issue(now=1000.0)
        >>> pow_.check(c.challenge, solve(c.challenge, 4), now=1001.0)
    """

    def __init__(self, key: bytes, bits: int, ttl_s: float) -> None:
        self._key = key
        self.bits = bits
        self.ttl_s = ttl_s
        self._spent: dict[str, float] = {}
        self._lock = threading.Lock()

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, now: float) -> Challenge:
        """A fresh challenge."""
        body = f"{int(now)}.{int(now + self.ttl_s)}.{self.bits}.{secrets.token_hex(8)}"
        return Challenge(f"{body}.{self._mac(body)}", self.bits, float(int(now + self.ttl_s)))

    def check(self, challenge: str | None, nonce: str | None, now: float) -> None:
        """Accept a solved challenge once.

        Raises:
            Rejected: Missing, forged, expired, reused or unsolved (reason ``proof_of_work``).
        """
        if self.bits == 0:
            return
        if not challenge or not nonce or len(nonce) > MAX_NONCE_LENGTH or len(challenge) > 200:
            raise Rejected(Reason.POW, "a solved challenge is required (GET /api/public/challenge)")
        body, _, mac = challenge.rpartition(".")
        parts = body.split(".")
        if len(parts) != 4 or not hmac.compare_digest(mac, self._mac(body)):
            raise Rejected(Reason.POW, "the challenge is not one this server issued")
        expires, bits = int(parts[1]), int(parts[2])
        if expires < now:
            raise Rejected(Reason.POW, "the challenge expired; ask for a new one")
        if not meets(challenge, nonce, bits):
            raise Rejected(Reason.POW, "the challenge is not solved")
        self._spend(challenge, float(expires), now)

    def _spend(self, challenge: str, expires: float, now: float) -> None:
        with self._lock:
            if challenge in self._spent:
                raise Rejected(Reason.POW, "this challenge was used already; ask for a new one")
            if len(self._spent) >= MAX_SPENT:
                self._spent = {c: e for c, e in self._spent.items() if e >= now}
            self._spent[challenge] = expires
