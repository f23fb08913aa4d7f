"""MediaStore: atomic writes, hashes, key validation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kuzet.store.media import MediaStore

KEY = "snapshots/gate/2025/03/01/ev-1.jpg"


def test_put_get_exists(tmp_path: Path) -> None:
    media = MediaStore(tmp_path)
    digest = media.put(KEY, b"\xff\xd8data")
    assert digest == hashlib.sha256(b"\xff\xd8data").hexdigest()
    assert media.exists(KEY) and media.get(KEY) == b"\xff\xd8data"
    assert (tmp_path / KEY).is_file()
    media.put(KEY, b"new")
    assert media.get(KEY) == b"new"
    assert not [p for p in (tmp_path / KEY).parent.iterdir() if p.name.startswith(".tmp-")]


def test_missing_key(tmp_path: Path) -> None:
    media = MediaStore(tmp_path)
    assert not media.exists("snapshots/x.jpg")
    with pytest.raises(KeyError):
        media.get("snapshots/x.jpg")


@pytest.mark.parametrize(
    "key", ["", "/etc/passwd", "../x.jpg", "a/../../x", "a//b.jpg", "a/./b", "a\\b.jpg", "a/"]
)
def test_rejects_unsafe_keys(tmp_path: Path, key: str) -> None:
    media = MediaStore(tmp_path / "m")
    with pytest.raises(ValueError, match="invalid media key"):
        media.put(key, b"x")
    with pytest.raises(ValueError):
        media.exists(key)
    assert not (tmp_path / "x.jpg").exists()
