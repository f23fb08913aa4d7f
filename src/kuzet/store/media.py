"""Media (snapshots, clips) as plain files under one root, in an object-store key layout.

No database is involved, so camera worker processes can write evidence directly.
Keys look like ``snapshots/<camera>/<YYYY>/<MM>/<DD>/<event_id>.jpg``; the same
keys work unchanged with an S3-compatible store (:mod:`kuzet.store.media_s3`).
:class:`Media` is the interface both implement; :func:`open_media` picks one from
``store.media.kind``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from kuzet.config.store import StoreConfig


@runtime_checkable
class Media(Protocol):
    """What every media backend does. Missing keys raise ``KeyError``, invalid keys
    ``ValueError``, an unreachable or failing backend :class:`MediaUnavailable`
    (an ``OSError``, as a full local disk is)."""

    def put(self, key: str, data: bytes) -> str:
        """Store ``data`` under ``key`` (replacing it); hex SHA-256 of ``data``."""
        ...

    def get(self, key: str) -> bytes:
        """Contents of ``key``."""
        ...

    def exists(self, key: str) -> bool:
        """True when an object is stored under ``key``."""
        ...

    def size(self, key: str) -> int:
        """Size of ``key`` in bytes."""
        ...

    def delete(self, key: str) -> bool:
        """Remove ``key``; False when it was not there."""
        ...

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under ``prefix`` (a folder like ``snapshots/cam1``), sorted."""
        ...


class MediaUnavailable(OSError):
    """The media backend could not be reached or refused the request."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.EIO, message)


def check_prefix(prefix: str) -> str:
    """A validated listing prefix (``""`` = everything), without a trailing ``/``."""
    prefix = prefix.rstrip("/")
    if prefix:
        check_key(prefix)
    return prefix


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


def free_bytes(path: Path | str) -> int:
    """Bytes available to this user on the filesystem holding ``path``."""
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


class MediaPaused(OSError):
    """Media writing is paused: free space is below the storage guard's floor."""

    def __init__(self, root: Path, free: int, floor: int) -> None:
        super().__init__(
            errno.ENOSPC,
            f"media writing paused: {free / 2**20:.1f} MB free under {root}, "
            f"floor {floor / 2**20:.1f} MB",
        )


class MediaStore:
    """Evidence files under ``root``, written atomically.

    Args:
        root: The media folder (created if missing).
        floor_free_bytes: Below this much free space ``put`` refuses with
            :class:`MediaPaused` (0 = no floor); the storage guard purges
            above it.

    Example:
        >>> import tempfile
        >>> media = MediaStore(Path(tempfile.mkdtemp()))
        >>> digest = media.put("snapshots/cam/x.jpg", b"jpeg")
        >>> media.get("snapshots/cam/x.jpg")
        b'jpeg'
    """

    def __init__(self, root: Path | str, floor_free_bytes: int = 0) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.floor_free_bytes = floor_free_bytes

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
            MediaPaused: Free space is below the floor.
            OSError: The write failed (e.g. the disk is full).
        """
        target = self.path(key)
        if self.floor_free_bytes:
            free = free_bytes(self.root)
            if free - len(data) < self.floor_free_bytes:
                raise MediaPaused(self.root, free, self.floor_free_bytes)
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

    def size(self, key: str) -> int:
        """Size of ``key`` in bytes.

        Raises:
            KeyError: If nothing is stored under ``key``.
        """
        path = self.path(key)
        if not path.is_file():
            raise KeyError(key)
        return path.stat().st_size

    def delete(self, key: str) -> bool:
        """Remove ``key``; False when it was not there."""
        path = self.path(key)
        if not path.is_file():
            return False
        path.unlink(missing_ok=True)
        return True

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under ``prefix`` (sorted; temp files of writes in flight skipped)."""
        prefix = check_prefix(prefix)
        base = self.root.joinpath(*prefix.split("/")) if prefix else self.root
        if not base.is_dir():
            return
        found = [
            path.relative_to(self.root).as_posix()
            for path in base.rglob("*")
            if path.is_file() and not path.name.startswith(".tmp-")
        ]
        yield from sorted(found)  # by key string, the order S3 lists in


def open_media(cfg: StoreConfig, media_dir: Path, floor_free_bytes: int = 0) -> Media:
    """The media backend ``cfg.media.kind`` names.

    Args:
        cfg: The store section of the configuration.
        media_dir: The local media folder (used when ``kind`` is ``local``).
        floor_free_bytes: Local free-space floor (see :class:`MediaStore`).

    Returns:
        A :class:`MediaStore` or an :class:`~kuzet.store.media_s3.S3MediaStore`.
    """
    if cfg.media.kind == "s3":
        from kuzet.store.media_s3 import S3MediaStore

        return S3MediaStore.from_config(cfg.media.s3)
    return MediaStore(media_dir, floor_free_bytes)
