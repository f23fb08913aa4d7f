"""A time-span export carries the span's recorded video (real recording, real redaction),
listed with its hash in the signed manifest and clips.json, checked by ``kuzet export
verify``; redaction fails closed: the video is left out and the export says why."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import av
import pytest
from api_factories import bearer, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.core.errors import ModelError
from kuzet.core.types import Image
from kuzet.ingest import VideoSource
from kuzet.privacy.keys import Signer
from kuzet.privacy.principal import Permission as P
from kuzet.privacy.redaction import Regions
from kuzet.privacy.unmask import GrantRequest, UnmaskGrants
from kuzet.record import Recorder, Segment
from kuzet.record.index import SegmentIndex
from kuzet.record.playback import Recordings

REASON = "case 31: what the gate saw"
CFG = RecordConfig(enabled=True, segment_s=3.0, pre_s=2.0, post_s=2.0)


@pytest.fixture
def recorded(deps: AppDeps, h264_video: Path, tmp_path: Path) -> list[Segment]:
    """12 s of camera gate in 4 segments of 3 s, indexed; no events at all; a signing key."""
    index = SegmentIndex(deps.store.engine)
    segments: list[Segment] = []
    recorder = Recorder("gate", CFG, deps.media.root, segments.append)
    source = VideoSource("gate", SourceConfig(url=str(h264_video), pace="fast"), 5, 160,
                         tap=recorder)
    for _ in source.frames():
        pass
    for segment in segments:
        index.add(segment)
    deps.recordings = Recordings(index, deps.media.root, CFG, {"gate": CFG})
    deps.audit.signer = Signer.load_or_create(tmp_path / "keys")
    make_user(deps, "ana", "analyst")
    return segments


@pytest.fixture
def api(deps: AppDeps) -> Iterator[TestClient]:
    with TestClient(create_app(deps)) as client:
        yield client


def _export(api: TestClient, deps: AppDeps, recorded: list[Segment],
            scopes: list[P]) -> Any:
    t0 = recorded[0].start
    body = {"reason": REASON, "camera_id": "gate",
            "since": (t0 + timedelta(seconds=7)).isoformat(),
            "until": (t0 + timedelta(seconds=11)).isoformat()}
    return api.post("/api/exports", json=body, headers=bearer(deps, "ana", scopes))


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _verify(data: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    return subprocess.run([sys.executable, "-m", "kuzet.cli", "export", "verify", str(path)],
                          capture_output=True, text=True, check=False)


def _frames(data: bytes, tmp_path: Path) -> tuple[str, int]:
    path = tmp_path / "span.mp4"
    path.write_bytes(data)
    with av.open(str(path)) as played:
        codec = played.streams.video[0].codec_context.name
        return codec, sum(1 for _ in played.decode(video=0))


@pytest.mark.parametrize("unmask", [False, True])
def test_a_span_without_events_exports_its_video(
    deps: AppDeps, api: TestClient, recorded: list[Segment], tmp_path: Path, unmask: bool
) -> None:
    if unmask:  # a grant on the camera: the original joined segments
        user = deps.auth.users.by_username("ana")
        UnmaskGrants(deps.store.engine).grant(
            GrantRequest(user.id, "ana", REASON, 10.0, camera_id="gate"))
    scopes = [P.VIEW_EVENTS, P.EXPORT] + ([P.UNMASK] if unmask else [])
    resp = _export(api, deps, recorded, scopes)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-kuzet-video-omitted"] == "0"
    entries = _entries(resp.content)
    listed = json.loads(entries["clips.json"])
    assert listed["omitted"] == [] and len(listed["clips"]) == 1
    clip = listed["clips"][0]
    assert clip["kind"] == "span" and clip["redacted"] is (not unmask)
    video = entries[clip["file"]]
    manifest = json.loads(entries["manifest.json"])
    assert manifest["files"][clip["file"]] == hashlib.sha256(video).hexdigest() == clip["sha256"]
    # 7..11 s overlaps segments 2..4 (6-9, 9-12 s): 2 of them, 30 frames each
    assert [s["sha256"] for s in clip["segments"]] == [s.sha256 for s in recorded[2:4]]
    joined = deps.recordings.span_file("gate", recorded[2].start, recorded[3].end)  # type: ignore[union-attr]
    original = joined.path.read_bytes()
    assert clip["original_sha256"] == hashlib.sha256(original).hexdigest()
    assert (video == original) is unmask  # redacted: re-encoded, not the recording
    assert _frames(video, tmp_path) == ("h264", 60)
    custody = json.loads(entries["custody.json"])
    assert custody["event_ids"] == [] and custody["span_video"] == [clip["file"]]
    assert custody["video_redacted"] is (not unmask)
    ok = _verify(resp.content, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    tampered = dict(entries, **{clip["file"]: video[:-64] + b"\x00" * 64})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in tampered.items():
            archive.writestr(name, data)
    bad = _verify(buffer.getvalue(), tmp_path)
    assert bad.returncode == 1 and f"modified: {clip['file']}" in bad.stderr


class BrokenRedactor:
    """A redactor whose models are missing: every use fails."""

    def find_whole(self, image: Image) -> Regions:
        raise ModelError("face model missing")

    def apply(self, image: Image, regions: Regions) -> Image:
        raise ModelError("face model missing")

    def redact_jpeg(self, jpeg: bytes) -> bytes:
        raise ModelError("face model missing")


def test_video_that_cannot_be_redacted_is_left_out_and_named(
    deps: AppDeps, api: TestClient, recorded: list[Segment], tmp_path: Path
) -> None:
    deps.redactor = BrokenRedactor()  # type: ignore[assignment]
    resp = _export(api, deps, recorded, [P.VIEW_EVENTS, P.EXPORT])
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-kuzet-video-omitted"] == "1"
    entries = _entries(resp.content)
    assert not [n for n in entries if n.endswith(".mp4")]  # never the raw recording
    assert not any(recorded[2].sha256 == hashlib.sha256(d).hexdigest() for d in entries.values())
    manifest = json.loads(entries["manifest.json"])
    (omitted,) = manifest["video_omitted"]
    assert omitted["camera_id"] == "gate" and "face model missing" in omitted["reason"]
    assert json.loads(entries["custody.json"])["video_omitted"] == [omitted]
    ok = _verify(resp.content, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_a_span_with_neither_events_nor_video_is_404(
    deps: AppDeps, api: TestClient, recorded: list[Segment]
) -> None:
    t0 = recorded[0].start - timedelta(hours=1)
    body = {"reason": REASON, "camera_id": "gate", "since": t0.isoformat(),
            "until": (t0 + timedelta(minutes=5)).isoformat()}
    resp = api.post("/api/exports", json=body, headers=bearer(deps, "ana", [P.EXPORT]))
    assert resp.status_code == 404 and "no recording" in resp.json()["detail"]
