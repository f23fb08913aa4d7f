"""Redacted playback is progressive: a masked viewer's span map lists one part per
recorded segment, each redacted when first asked for, so the first part plays before
the rest of the span is redacted (real recording, real redaction models)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
import sqlalchemy as sa
from api_factories import make_user, sign_in
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.ingest import VideoSource
from kuzet.privacy.unmask import GrantRequest, UnmaskGrants
from kuzet.record import Recorder, Segment
from kuzet.record.index import SegmentIndex
from kuzet.record.playback import Recordings

CFG = RecordConfig(enabled=True, segment_s=3.0, pre_s=2.0, post_s=2.0)


@pytest.fixture
def recorded(deps: AppDeps, h264_video: Path) -> list[Segment]:
    """12 s of camera gate in 4 segments of 3 s (30 frames each), indexed."""
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
    return segments


@pytest.fixture
def olga(deps: AppDeps) -> Iterator[TestClient]:
    """An operator without an unmask grant: redacted video only."""
    make_user(deps, "olga", "operator")
    with TestClient(create_app(deps)) as client:
        sign_in(client, "olga")
        yield client


def _frames(data: bytes, path: Path) -> int:
    path.write_bytes(data)
    with av.open(str(path)) as played:
        return sum(1 for _ in played.decode(video=0))


def _views(deps: AppDeps) -> list[dict[str, object]]:
    with deps.store.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT details FROM audit_log WHERE action = 'evidence.view' ORDER BY seq"
        )).scalars()
        return [json.loads(r) if isinstance(r, str) else r for r in rows]


def test_the_first_part_plays_before_the_span_is_redacted(
    deps: AppDeps, olga: TestClient, recorded: list[Segment], tmp_path: Path
) -> None:
    params = {"since": recorded[0].start.isoformat(), "until": recorded[-1].end.isoformat()}
    span = olga.get("/api/recordings/gate/span", params=params).json()
    assert span["redacted"] is True and span["mime"].startswith("video/mp4")
    parts = span["parts"]
    assert [p["offset_s"] for p in parts] == [p["offset_s"] for p in span["pieces"]]
    assert len(parts) == 4
    pieces = deps.recordings.pieces  # type: ignore[union-attr]
    assert not any(pieces.ready(s.key) for s in recorded)  # nothing redacted up front
    first = olga.get(parts[0]["url"])
    assert first.status_code == 200 and first.headers["x-kuzet-redacted"] == "1"
    assert _frames(first.content, tmp_path / "part0.mp4") == 30  # plays on its own
    # the first part is there while the rest of the span is not redacted yet
    assert [pieces.ready(s.key) for s in recorded] == [True, False, False, False]
    raw = (deps.media.root / recorded[0].key).read_bytes()
    assert first.content != raw and raw[-4000:] not in first.content  # re-encoded
    for part in parts[1:]:
        assert olga.get(part["url"]).status_code == 200
    assert all(pieces.ready(s.key) for s in recorded)
    whole = olga.get(span["url"])  # the whole redacted span: the parts joined, no new work
    assert whole.headers["x-kuzet-redacted"] == "1"
    assert _frames(whole.content, tmp_path / "whole.mp4") == 120
    views = _views(deps)  # four part requests and the whole file: one view each way
    assert [v.get("progressive", False) for v in views] == [True, False]
    assert olga.get(parts[0]["url"].replace("/parts/0.mp4", "/parts/9.mp4")).status_code == 404


def test_an_unmasked_viewer_gets_the_original_without_parts(
    deps: AppDeps, recorded: list[Segment]
) -> None:
    sam = make_user(deps, "sam", "supervisor")
    UnmaskGrants(deps.store.engine).grant(GrantRequest(sam.id, "sam", "case 9", 10.0))
    params = {"since": recorded[0].start.isoformat(), "until": recorded[-1].end.isoformat()}
    with TestClient(create_app(deps)) as client:
        sign_in(client, "sam")
        span = client.get("/api/recordings/gate/span", params=params).json()
    assert span["redacted"] is False and "parts" not in span
