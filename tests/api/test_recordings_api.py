"""Recorded video over the API: segments, event clips with Range, scope, audit, redaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import av
import pytest
import sqlalchemy as sa
from api_factories import make_event, make_user, sign_in
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.ingest import VideoSource
from kuzet.privacy.unmask import GrantRequest, UnmaskGrants
from kuzet.record import Recorder, Segment
from kuzet.record.index import SegmentIndex
from kuzet.record.playback import Recordings

REASON = "incident 42 at the north gate"
CFG = RecordConfig(enabled=True, segment_s=3.0, pre_s=2.0, post_s=2.0)


@pytest.fixture
def recorded(deps: AppDeps, h264_video: Path) -> list[Segment]:
    """12 s of the H.264 sample recorded for camera gate (4 segments of 3 s), indexed."""
    index = SegmentIndex(deps.store.engine)
    segments: list[Segment] = []
    recorder = Recorder("gate", CFG, deps.media.root, segments.append)
    source = VideoSource("gate", SourceConfig(url=str(h264_video), pace="fast"), 5, 160,
                         tap=recorder)
    for _ in source.frames():
        pass
    for segment in segments:
        index.add(segment)
    deps.recordings = Recordings(index, deps.media.root, CFG, {"gate": CFG, "hall": CFG})
    start = segments[0].start
    # an event 4..7 s in: its span (pre/post 2 s) is 2..9 s -> segments 0, 1, 2
    deps.store.events.upsert(make_event(
        id="ev-1", started_at=start + timedelta(seconds=4), ended_at=start + timedelta(seconds=7)
    ))
    deps.store.events.upsert(make_event(id="ev-hall", camera_id="hall", started_at=start))
    return segments


def _user(deps: AppDeps, name: str, role: str, **scope: object) -> Iterator[TestClient]:
    user = make_user(deps, name, role, **scope)
    with TestClient(create_app(deps)) as client:
        sign_in(client, name)
        client.user = user  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def sam(deps: AppDeps) -> Iterator[TestClient]:
    """A supervisor with an unmask grant on camera gate."""
    for client in _user(deps, "sam", "supervisor"):
        grant = GrantRequest(client.user.id, "sam", REASON, 10.0, camera_id="gate")  # type: ignore[attr-defined]
        UnmaskGrants(deps.store.engine).grant(grant)
        yield client


def _views(deps: AppDeps) -> list[dict[str, object]]:
    with deps.store.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT details FROM audit_log WHERE action = 'evidence.view' ORDER BY seq"
        )).scalars()
        import json

        return [json.loads(r) if isinstance(r, str) else r for r in rows]


def test_segments_of_a_span(client: TestClient, recorded: list[Segment]) -> None:
    t0 = recorded[0].start
    params = {"since": (t0 + timedelta(seconds=4)).isoformat(),
              "until": (t0 + timedelta(seconds=7)).isoformat()}
    body = client.get("/api/recordings/gate/segments", params=params).json()
    assert [s["key"] for s in body["segments"]] == [s.key for s in recorded[1:3]]
    assert body["segments"][0]["sha256"] == recorded[1].sha256


def test_event_clip_plays_with_range_requests(
    deps: AppDeps, sam: TestClient, recorded: list[Segment], tmp_path: Path
) -> None:
    clip = sam.get("/api/events/ev-1/clip").json()
    assert [p["key"] for p in clip["pieces"]] == [s.key for s in recorded[:3]]
    assert clip["duration_s"] == pytest.approx(9.0, abs=0.05)
    assert clip["event_offset_s"] == pytest.approx(4.0, abs=0.05)
    whole = sam.get(clip["url"])
    assert whole.status_code == 200 and whole.headers["x-kuzet-redacted"] == "0"
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    part = sam.get(clip["url"], headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == whole.content[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(whole.content)}"
    (tmp_path / "clip.mp4").write_bytes(whole.content)
    with av.open(str(tmp_path / "clip.mp4")) as played:
        assert sum(1 for _ in played.decode(video=0)) == 90  # 3 segments x 30 frames
    views = _views(deps)
    assert len(views) == 1  # one playback, one record: the Range request is not another
    assert views[0]["video"] is True and views[0]["redacted"] is False


def test_scope_and_masking(deps: AppDeps, recorded: list[Segment]) -> None:
    for olga in _user(deps, "olga", "operator", cameras=["gate"]):
        assert olga.get("/api/events/ev-hall/clip").status_code == 403
        assert olga.get("/api/recordings/hall/segments").status_code == 403
        assert olga.get("/api/recordings/hall/span.mp4").status_code == 403
        masked = olga.get("/api/events/ev-1/clip.mp4")
        assert masked.status_code == 200 and masked.headers["x-kuzet-redacted"] == "1"
        raw = (deps.media.root / recorded[0].key).read_bytes()
        assert raw[-4000:] not in masked.content  # a re-encoded copy, not the recording
    assert [v["redacted"] for v in _views(deps)] == [True]


def test_no_recording_is_404(client: TestClient, recorded: list[Segment]) -> None:
    t0 = recorded[0].start - timedelta(hours=2)
    params = {"since": t0.isoformat(), "until": (t0 + timedelta(minutes=1)).isoformat()}
    assert client.get("/api/recordings/gate/span.mp4", params=params).status_code == 404
    assert client.get("/api/recordings/gate/span", params=params).status_code == 404


def _zip_entries(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("unmask", [False, True])
def test_signed_export_carries_the_clip(
    deps: AppDeps, client: TestClient, recorded: list[Segment], tmp_path: Path, unmask: bool
) -> None:
    import hashlib
    import json
    import subprocess
    import sys

    from api_factories import bearer

    from kuzet.privacy.keys import Signer
    from kuzet.privacy.principal import Permission as P

    deps.audit.signer = Signer.load_or_create(tmp_path / "keys")
    ana = make_user(deps, "ana", "analyst")
    if unmask:  # originals only under an unmask grant for the event (as for snapshots)
        UnmaskGrants(deps.store.engine).grant(GrantRequest(ana.id, "ana", REASON, 10.0))
    scopes = [P.VIEW_EVENTS, P.EXPORT] + ([P.UNMASK] if unmask else [])
    resp = client.post("/api/exports", json={"reason": REASON, "event_id": "ev-1"},
                       headers=bearer(deps, "ana", scopes))
    assert resp.status_code == 200, resp.text
    entries = _zip_entries(resp.content)
    clip = json.loads(entries["clips.json"])["clips"][0]
    video = entries["clips/ev-1.mp4"]
    assert clip["file"] == "clips/ev-1.mp4" and clip["redacted"] is (not unmask)
    assert clip["sha256"] == hashlib.sha256(video).hexdigest()
    assert [s["sha256"] for s in clip["segments"]] == [s.sha256 for s in recorded[:3]]
    if unmask:
        assert clip["original_sha256"] == clip["sha256"] and clip["redacted_sha256"] is None
    else:
        assert clip["redacted_sha256"] == clip["sha256"] != clip["original_sha256"]
    (tmp_path / "clip.mp4").write_bytes(video)
    with av.open(str(tmp_path / "clip.mp4")) as played:
        assert played.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in played.decode(video=0)) == 90
    zip_path = tmp_path / "export.zip"
    zip_path.write_bytes(resp.content)
    kuzet = [sys.executable, "-m", "kuzet.cli", "export", "verify", str(zip_path)]
    ok = subprocess.run(kuzet, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    tampered = dict(entries, **{"clips/ev-1.mp4": video[:-100] + b"\x00" * 100})
    zip_path.write_bytes(_rezip(tampered))
    bad = subprocess.run(kuzet, capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "modified: clips/ev-1.mp4" in bad.stderr


def _rezip(entries: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()
