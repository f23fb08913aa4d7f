"""The system's Ed25519 signing key (audit checkpoints, evidence exports).

The private key lives in ``<data dir>/keys/signing_ed25519.pem`` (PKCS#8 PEM, mode
0600), created on first use. Anyone holding the public key
(``kuzet keys public``) can check signatures; only this system can make them.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

KEY_FILE = Path("keys") / "signing_ed25519.pem"


class Signer:
    """Signs with an Ed25519 private key; see :meth:`load_or_create`.

    Example:
        >>> signer = Signer(Ed25519PrivateKey.generate())
        >>> verify_signature(signer.public_pem(), b"x", signer.sign(b"x"))
        True
    """

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key

    @classmethod
    def load_or_create(cls, data_dir: Path) -> Signer:
        """The key in ``data_dir``, generated (mode 0600) when missing."""
        path = data_dir / KEY_FILE
        if path.is_file():
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ValueError(f"{path} does not hold an Ed25519 private key")
            return cls(loaded)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return cls(key)

    def sign(self, data: bytes) -> bytes:
        """Ed25519 signature (64 bytes) of ``data``."""
        return self._key.sign(data)

    def public_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM."""
        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """Parse an Ed25519 public key PEM.

    Raises:
        ValueError: If the PEM is not an Ed25519 public key.
    """
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def verify_signature(public_pem: bytes, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid signature of ``data`` by ``public_pem``."""
    try:
        load_public_key(public_pem).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
