"""The media contract: the same cases on the local folder and on a real S3 server.

The ``media`` fixture (tests/conftest.py) is parametrised ``local`` / ``s3``; the S3
case is a fresh bucket on SeaweedFS started on loopback by the test run (tests/s3.py).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest

from kuzet.config.store import S3Config
from kuzet.store.media import Media, MediaUnavailable
from kuzet.store.media_s3 import S3MediaStore

# Keys in the layouts the writers use (events/evidence, identity, plates, field photos).
LAYOUT_KEYS = [
    "snapshots/gate/2025/03/01/ev-1.jpg",
    "snapshots/gate/2025/03/01/ev-1.redacted.jpg",
    "faces/probes/cam-2/2025/03/01/7f3a.jpg",
    "plates/crops/entry/2025/12/31/read-99.jpg",
    "field/photos/u1/2026/01/02/p_1.jpg",
]
BAD_KEYS = ["", "/etc/passwd", "../x.jpg", "a/../../x", "a//b.jpg", "a/./b", "a\\b.jpg", "a/"]


def test_implements_the_interface(media: Any) -> None:
    assert isinstance(media, Media)


@pytest.mark.parametrize("key", LAYOUT_KEYS)
def test_put_get_exists_size(media: Media, key: str) -> None:
    data = b"\xff\xd8" + key.encode() * 7
    assert media.put(key, data) == hashlib.sha256(data).hexdigest()
    assert media.exists(key)
    assert media.get(key) == data
    assert media.size(key) == len(data)
    assert list(media.keys()) == [key]


def test_put_replaces(media: Media) -> None:
    key = LAYOUT_KEYS[0]
    media.put(key, b"old contents")
    media.put(key, b"new")
    assert media.get(key) == b"new" and media.size(key) == 3


def test_empty_object(media: Media) -> None:
    media.put("snapshots/gate/empty.jpg", b"")
    assert media.exists("snapshots/gate/empty.jpg")
    assert media.get("snapshots/gate/empty.jpg") == b""
    assert media.size("snapshots/gate/empty.jpg") == 0


def test_missing_key(media: Media) -> None:
    key = "snapshots/gate/2025/03/01/none.jpg"
    assert not media.exists(key)
    with pytest.raises(KeyError):
        media.get(key)
    with pytest.raises(KeyError):
        media.size(key)
    assert media.delete(key) is False
    assert list(media.keys("snapshots")) == []


def test_delete(media: Media) -> None:
    first, second = LAYOUT_KEYS[0], LAYOUT_KEYS[1]
    media.put(first, b"a")
    media.put(second, b"b")
    assert media.delete(first) is True
    assert not media.exists(first)
    with pytest.raises(KeyError):
        media.get(first)
    assert media.delete(first) is False
    assert media.get(second) == b"b"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", ["faces/p/1.jpg", "snapshots/cam1/a.jpg", "snapshots/cam1/x/b.jpg",
              "snapshots/cam10/c.jpg"]),
        ("snapshots", ["snapshots/cam1/a.jpg", "snapshots/cam1/x/b.jpg", "snapshots/cam10/c.jpg"]),
        ("snapshots/cam1", ["snapshots/cam1/a.jpg", "snapshots/cam1/x/b.jpg"]),  # not cam10
        ("snapshots/cam1/", ["snapshots/cam1/a.jpg", "snapshots/cam1/x/b.jpg"]),
        ("snapshots/cam", []),  # a folder, not a string prefix
        ("clips", []),
    ],
)
def test_keys_by_folder(media: Media, prefix: str, expected: list[str]) -> None:
    for key in ["snapshots/cam10/c.jpg", "snapshots/cam1/x/b.jpg", "faces/p/1.jpg",
                "snapshots/cam1/a.jpg"]:
        media.put(key, b"x")
    assert list(media.keys(prefix)) == expected


def test_many_keys_list_past_one_page(media: Media) -> None:
    keys = sorted(f"snapshots/cam/{i:05d}.jpg" for i in range(1100))  # S3 pages hold 1000
    for key in keys:
        media.put(key, b"j")
    assert list(media.keys("snapshots/cam")) == keys


@pytest.mark.parametrize("key", BAD_KEYS)
def test_rejects_unsafe_keys(media: Media, key: str) -> None:
    for call in (lambda: media.put(key, b"x"), lambda: media.get(key), lambda: media.exists(key),
                 lambda: media.size(key), lambda: media.delete(key)):
        with pytest.raises(ValueError, match="invalid media key"):
            call()
    assert list(media.keys()) == []


@pytest.mark.parametrize("prefix", ["/abs", "../up", "a//b"])
def test_rejects_unsafe_prefixes(media: Media, prefix: str) -> None:
    with pytest.raises(ValueError):
        list(media.keys(prefix))


def test_large_object(media: Media) -> None:
    data = os.urandom(13 * 2**20 + 17)  # three 5 MiB parts on S3
    key = "exports/case-1/2025/03/01/export.zip"
    assert media.put(key, data) == hashlib.sha256(data).hexdigest()
    assert media.size(key) == len(data)
    assert hashlib.sha256(media.get(key)).digest() == hashlib.sha256(data).digest()


# S3 only: where objects land, multipart, and failures mapped to the store's errors.


def _s3(server: Any, bucket: str, **kwargs: Any) -> S3MediaStore:
    return S3MediaStore(server.client(), bucket, **kwargs)


def test_s3_keys_under_prefix_unchanged(s3_server: Any) -> None:
    bucket = s3_server.create_bucket()
    _s3(s3_server, bucket, prefix="kuzet/site1").put(LAYOUT_KEYS[0], b"j")
    listed = s3_server.client().list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in listed] == [f"kuzet/site1/{LAYOUT_KEYS[0]}"]
    assert list(_s3(s3_server, bucket).keys()) == [f"kuzet/site1/{LAYOUT_KEYS[0]}"]
    assert list(_s3(s3_server, bucket, prefix="kuzet/site2").keys()) == []


def test_s3_large_object_is_multipart(s3_server: Any) -> None:
    bucket = s3_server.create_bucket()
    store = _s3(s3_server, bucket, multipart_bytes=5 * 2**20)
    store.put("exports/big.bin", os.urandom(11 * 2**20))
    store.put("exports/small.bin", os.urandom(2**20))
    head = s3_server.client().head_object
    assert head(Bucket=bucket, Key="exports/big.bin")["ETag"].endswith('-3"')  # 3 parts
    assert "-" not in head(Bucket=bucket, Key="exports/small.bin")["ETag"]


def _unreachable(server: Any) -> S3MediaStore:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cfg = S3Config(endpoint_url=f"http://127.0.0.1:{port}", bucket="b", access_key_id="k",
                   secret_access_key="s", timeout=1)
    return S3MediaStore.from_config(cfg)


def _bad_secret(server: Any) -> S3MediaStore:
    cfg = S3Config(endpoint_url=server.endpoint, bucket=server.create_bucket(),
                   access_key_id="kuzettest", secret_access_key="wrong-secret")
    return S3MediaStore.from_config(cfg)


def _no_bucket(server: Any) -> S3MediaStore:
    from s3 import ACCESS_KEY, SECRET_KEY

    cfg = S3Config(endpoint_url=server.endpoint, bucket="no-such-bucket-kuzet",
                   access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY)
    return S3MediaStore.from_config(cfg)


@pytest.mark.parametrize("broken", [_unreachable, _bad_secret, _no_bucket])
def test_s3_failures_raise_media_unavailable(s3_server: Any, broken: Any) -> None:
    store = broken(s3_server)
    for call in (lambda: store.put("snapshots/a.jpg", b"x"), lambda: store.get("snapshots/a.jpg"),
                 lambda: store.exists("snapshots/a.jpg"), lambda: list(store.keys())):
        with pytest.raises(MediaUnavailable) as caught:
            call()
        assert isinstance(caught.value, OSError)  # writers already treat OSError as "not saved"


def test_s3_from_config_reaches_the_server(s3_server: Any) -> None:
    from s3 import ACCESS_KEY, SECRET_KEY

    bucket = s3_server.create_bucket()
    cfg = S3Config(endpoint_url=s3_server.endpoint, bucket=bucket, prefix="p",
                   access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY)
    S3MediaStore.from_config(cfg).put("snapshots/a.jpg", b"x")
    assert s3_server.client().get_object(Bucket=bucket, Key="p/snapshots/a.jpg")["Body"].read()
