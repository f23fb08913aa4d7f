"""Recorded video in a real Chromium: the event page plays its clip, the timeline seeks
across a segment boundary and changes speed (H.264 in MP4, played natively)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from test_console import PASSWORD, SCREENSHOTS, WAIT_MS, sign_in

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, serve_in_thread
from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.ingest import VideoSource
from kuzet.privacy.principal import Role
from kuzet.privacy.unmask import GrantRequest, UnmaskGrants
from kuzet.record import Recorder, Segment
from kuzet.record.index import SegmentIndex
from kuzet.record.playback import Recordings
from kuzet.store import MediaStore, open_store

pytestmark = pytest.mark.e2e

CFG = RecordConfig(enabled=True, segment_s=3.0, pre_s=2.0, post_s=2.0)


@pytest.fixture
def console(tmp_path: Path, h264_video: Path) -> Iterator[tuple[str, list[Segment]]]:
    """The app on a real port: 12 s recorded on camera gate (4 segments), one event 4..7 s."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    media = MediaStore(tmp_path / "media")
    deps = AppDeps(store, media, bus, FakeLiveView.with_cameras("gate"))
    segments: list[Segment] = []
    recorder = Recorder("gate", CFG, media.root, segments.append)
    source = SourceConfig(url=str(h264_video), pace="fast")
    for _ in VideoSource("gate", source, 5, 160, tap=recorder).frames():
        pass
    index = SegmentIndex(store.engine)
    for segment in segments:
        index.add(segment)
    deps.recordings = Recordings(index, media.root, CFG, {"gate": CFG})
    t0 = segments[0].start
    bus.publish(Event("ev-r", "gate", EventKind.LOITERING, "gate-loiter", EventPhase.CLOSE,
                      t0 + timedelta(seconds=4), Severity.ALERT, t0 + timedelta(seconds=7)))
    user = deps.auth.users.create("sam", PASSWORD, Role.SUPERVISOR)
    UnmaskGrants(store.engine).grant(GrantRequest(user.id, "sam", "case 7 review", 10.0))
    with serve_in_thread(create_app(deps)) as url:
        yield url, segments
    store.close()


def _time(page: Any, selector: str) -> float:
    return float(page.eval_on_selector(selector, "v => v.currentTime"))


def _wait_time(page: Any, selector: str, above: float) -> None:
    page.wait_for_function(
        "([s, t]) => { const v = document.querySelector(s);"
        " return v && v.readyState >= 2 && v.currentTime > t && !v.error; }",
        arg=[selector, above], timeout=WAIT_MS,
    )


def test_event_clip_and_timeline_play(browser: Any, console: tuple[str, list[Segment]]) -> None:
    url, segments = console
    page = browser.new_page()
    try:
        sign_in(page, url, "sam")
        page.goto(f"{url}/events/ev-r")
        clip = '[data-testid="event-clip"]'
        page.wait_for_function(
            "s => document.querySelector(s).readyState >= 1", arg=clip, timeout=WAIT_MS
        )
        start = _time(page, clip)
        assert start == pytest.approx(4.0, abs=0.3)  # the clip opens at the event's start
        page.eval_on_selector(clip, "v => v.play()")
        _wait_time(page, clip, start + 0.5)  # currentTime advances: it plays
        assert page.eval_on_selector(clip, "v => v.videoWidth") == 768
        page.screenshot(path=str(SCREENSHOTS / "event_clip.png"))

        page.click('[data-testid="event-timeline-link"]')
        video = '[data-testid="timeline-video"]'
        page.wait_for_function(
            "s => document.querySelector(s).readyState >= 1", arg=video, timeout=WAIT_MS
        )
        assert page.locator('[data-testid="timeline-segment"]').count() == 4
        assert page.locator('[data-testid="timeline-event"]').count() == 1
        boundary = segments[0].duration  # 3.0 s: the end of the first segment
        page.eval_on_selector(video, f"v => {{ v.currentTime = {boundary - 0.4}; v.play(); }}")
        _wait_time(page, video, boundary + 0.3)  # played across the boundary
        page.eval_on_selector(video, "v => { v.pause(); v.currentTime = 7.5; }")  # 3rd segment
        page.wait_for_function(
            "s => { const v = document.querySelector(s); return !v.seeking && v.readyState >= 2; }",
            arg=video, timeout=WAIT_MS,
        )
        assert _time(page, video) == pytest.approx(7.5, abs=0.15)
        page.select_option('[data-testid="timeline-speed"]', "8")
        assert page.eval_on_selector(video, "v => v.playbackRate") == 8
        page.eval_on_selector(video, "v => v.play()")
        _wait_time(page, video, 9.5)  # 8x: two seconds of video in well under a second
        page.screenshot(path=str(SCREENSHOTS / "timeline.png"))
    finally:
        page.close()
