"""Media (snapshots, clips) as plain files under one root, in an object-store key layout.

No database is involved, so camera worker processes can write evidence directly.
Keys look like ``snapshots/<camera>/<YYYY>/<MM>/<DD>/<event_id>.jpg``; the same
keys work unchanged with an S3-compatible store in scale-out deployments.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path, PurePosixPath


def check_key(key: str) -> PurePosixPath:
    """Validate a media key.

    Args:
        key: Relative, ``/``-separated key.

    Returns:
        The key as a path.

    Raises:
        ValueError: If the key is empty, absolute, uses backslashes or NUL, or has
            empty, ``.`` or ``..`` segments.
    """
    if not key or "\\" in key or "\x00" in key or key.startswith("/"):
        raise ValueError(f"invalid media key {key!r}: expected a relative key like 'a/b.jpg'")
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"invalid media key {key!r}: empty, '.' or '..' segment")
    return PurePosixPath(*parts)


class MediaStore:
    """Evidence files under ``root``, written atomically.

    Example:
        >>> import tempfile
        >>> media = MediaStore(Path(tempfile.mkdtemp()))
        >>> digest = media.put("snapshots/cam/x.jpg", b"jpeg")
        >>> media.get("snapshots/cam/x.jpg")
        b'jpeg'
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """Filesystem path of ``key`` (validated; the file may not exist)."""
        return self.root.joinpath(*check_key(key).parts)

    def put(self, key: str, data: bytes) -> str:
        """Write ``data`` under ``key`` atomically (temp file + rename).

        Args:
            key: Media key.
            data: File contents.

        Returns:
            Hex SHA-256 of ``data``.

        Raises:
            ValueError: If the key is invalid.
        """
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return hashlib.sha256(data).hexdigest()

    def get(self, key: str) -> bytes:
        """Contents of ``key``.

        Raises:
            KeyError: If nothing is stored under ``key``.
            ValueError: If the key is invalid.
        """
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise KeyError(key) from error

    def exists(self, key: str) -> bool:
        """True when a file is stored under ``key``."""
        return self.path(key).is_file()
