"""Snapshots written by the running pipeline land in S3 when ``store.media.kind: s3``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_analyze_batch import _dark_then_textured

from kuzet.config.load import load_config
from kuzet.runtime.analyze import analyze_video
from kuzet.store import EventQuery, open_store
from kuzet.store.media import open_media

pytestmark = pytest.mark.models


def test_event_snapshots_go_to_the_bucket(
    nanodet_installed: Path, tmp_path: Path, s3_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from s3 import ACCESS_KEY, SECRET_KEY

    bucket = s3_server.create_bucket()
    monkeypatch.setenv("KUZET_TEST_S3_SECRET", SECRET_KEY)  # a secret from the environment
    clip = _dark_then_textured(tmp_path / "clip.mp4")
    (tmp_path / "kuzet.yml").write_text(f"""
store:
  media:
    kind: s3
    s3:
      endpoint_url: {s3_server.endpoint}
      bucket: {bucket}
      prefix: kuzet/site1
      access_key_id: {ACCESS_KEY}
      secret_access_key: ${{KUZET_TEST_S3_SECRET}}
cameras:
  gate:
    source: {{url: "rtsp://live/gate"}}
    rules:
      - {{id: dark, kind: camera_tamper, tamper: occlusion, min_duration: 0.5,
          close_after: 0.5, learn_s: 1}}
""")
    config = load_config(tmp_path / "kuzet.yml")
    data = tmp_path / "data"
    assert analyze_video(config, clip, data, progress=False).events
    store = open_store(None, data)
    try:
        keys = [e.snapshot_key for e in store.events.list(EventQuery()).items]
    finally:
        store.close()
    assert keys and all(keys), "every event has a snapshot"
    listed = s3_server.client().list_objects_v2(Bucket=bucket)["Contents"]
    in_bucket = {item["Key"] for item in listed}
    for key in keys:
        assert key.startswith("snapshots/gate/")
        assert f"kuzet/site1/{key}" in in_bucket
    media = open_media(config.store, data / "media")
    assert all(media.get(key)[:2] == b"\xff\xd8" for key in keys)  # JPEGs, read back
    local = data / "media"
    assert not local.exists() or not list(local.rglob("*.jpg")), "nothing on local disk"
