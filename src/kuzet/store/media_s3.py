"""Media in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, Ceph RGW) through boto3.

The keys are the local layout's keys (``snapshots/<camera>/<YYYY>/<MM>/<DD>/<id>.jpg``)
under an optional prefix, so a media folder can be copied into a bucket as it is.
Objects above ``multipart_bytes`` are uploaded in parts. Every backend failure is
raised as :class:`~kuzet.store.media.MediaUnavailable`, a missing key as ``KeyError``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from kuzet.config.store import S3Config
from kuzet.store.media import MediaUnavailable, check_key, check_prefix

T = TypeVar("T")

MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
MULTIPART_BYTES = 16 * 2**20


class S3MediaStore:
    """Evidence objects in ``bucket`` under ``prefix``.

    Args:
        client: A boto3 S3 client (see :meth:`from_config`).
        bucket: The bucket (must exist).
        prefix: Key prefix without leading or trailing ``/`` ("" = none).
        multipart_bytes: Objects at least this large go up as a multipart upload
            (at least 5 MiB, S3's smallest part).
    """

    def __init__(self, client: Any, bucket: str, prefix: str = "",
                 multipart_bytes: int = MULTIPART_BYTES) -> None:
        from boto3.s3.transfer import TransferConfig

        self.client = client
        self.bucket = bucket
        self.prefix = check_prefix(prefix)
        part = max(multipart_bytes, 5 * 2**20)
        self.transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part,
                                       max_concurrency=4)

    @classmethod
    def from_config(cls, cfg: S3Config) -> S3MediaStore:
        """A store for the bucket ``cfg`` describes (credentials from it or boto3's chain)."""
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3", endpoint_url=cfg.endpoint_url, region_name=cfg.region,
            aws_access_key_id=cfg.access_key_id, aws_secret_access_key=cfg.secret_access_key,
            config=Config(s3={"addressing_style": cfg.addressing_style},
                          connect_timeout=cfg.timeout, read_timeout=cfg.timeout,
                          retries={"max_attempts": 3, "mode": "standard"}),
        )
        return cls(client, cfg.bucket, cfg.prefix)

    def _name(self, key: str) -> str:
        name = check_key(key).as_posix()
        return f"{self.prefix}/{name}" if self.prefix else name

    def _call(self, key: str, action: Callable[[], T]) -> T:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return action()
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in MISSING:
                raise KeyError(key) from error
            where = f"s3://{self.bucket}/{'/'.join(p for p in (self.prefix, key) if p)}"
            raise MediaUnavailable(f"{where}: {code} {error}") from error
        except BotoCoreError as error:  # connection refused, timeout, bad endpoint
            raise MediaUnavailable(f"s3 {self.bucket}: {error}") from error

    def put(self, key: str, data: bytes) -> str:
        """Upload ``data`` under ``key`` (multipart when large); hex SHA-256 of ``data``.

        Raises:
            ValueError: If the key is invalid.
            MediaUnavailable: The upload failed.
        """
        name = self._name(key)
        self._call(key, lambda: self.client.upload_fileobj(
            io.BytesIO(data), self.bucket, name, Config=self.transfer))
        return hashlib.sha256(data).hexdigest()

    def get(self, key: str) -> bytes:
        """Contents of ``key``.

        Raises:
            KeyError: If nothing is stored under ``key``.
            ValueError: If the key is invalid.
            MediaUnavailable: The download failed.
        """
        name = self._name(key)

        def fetch() -> bytes:
            body = self.client.get_object(Bucket=self.bucket, Key=name)["Body"]
            with body:
                return bytes(body.read())

        return self._call(key, fetch)

    def size(self, key: str) -> int:
        """Size of ``key`` in bytes (``KeyError`` when missing).

        Asks by listing rather than HEAD: a HEAD answers a bare 404 both for a missing
        key and for a missing bucket, and a missing bucket must not read as "no file".
        """
        name = self._name(key)
        page = self._call(key, lambda: self.client.list_objects_v2(
            Bucket=self.bucket, Prefix=name, MaxKeys=1))
        for item in page.get("Contents", []):
            if item["Key"] == name:  # a key sorts before every longer key it starts
                return int(item["Size"])
        raise KeyError(key)

    def exists(self, key: str) -> bool:
        """True when an object is stored under ``key``."""
        try:
            self.size(key)
        except KeyError:
            return False
        return True

    def delete(self, key: str) -> bool:
        """Remove ``key``; False when it was not there.

        S3's delete answers the same whether or not the object existed, so this asks
        first; two nodes deleting at once may both see True.
        """
        if not self.exists(key):
            return False
        name = self._name(key)
        self._call(key, lambda: self.client.delete_object(Bucket=self.bucket, Key=name))
        return True

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under ``prefix`` (a folder like ``snapshots/cam1``), sorted.

        Raises:
            MediaUnavailable: The listing failed.
        """
        folder = check_prefix(prefix)
        start = "/".join(part for part in (self.prefix, folder) if part)
        start = f"{start}/" if start else ""
        strip = len(f"{self.prefix}/") if self.prefix else 0
        pages = self._call(prefix, lambda: iter(
            self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start)))
        while (page := self._call(prefix, lambda: next(pages, None))) is not None:
            for item in page.get("Contents", []):
                yield str(item["Key"])[strip:]
