"""``kuzet analyze`` results in a live database: marked, and never in the future (issue 14)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest

from kuzet.config.root import KuzetConfig
from kuzet.runtime.analyze import analyze_video
from kuzet.store import EventQuery, open_store

pytestmark = pytest.mark.models


def _dark_then_textured(path: Path, fps: int = 10) -> Path:
    # 2 s texture, 4 s black, 2 s texture: one occlusion event in the middle.
    texture = np.random.default_rng(3).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(8 * fps):
            image = np.zeros_like(texture) if 2 * fps <= i < 6 * fps else texture
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_analyze_events_are_marked_and_lie_in_the_past(
    nanodet_installed: Path, tmp_path: Path
) -> None:
    clip = _dark_then_textured(tmp_path / "clip.mp4")
    config = KuzetConfig.model_validate({"cameras": {"gate": {
        "source": {"url": "rtsp://live/gate"},
        "rules": [{"id": "dark", "kind": "camera_tamper", "tamper": "occlusion",
                   "min_duration": 0.5, "close_after": 0.5, "learn_s": 1}],
    }}})  # fmt: skip
    result = analyze_video(config, clip, tmp_path / "data", progress=False)
    # The file's timeline ends when its first frame was decoded (after model loading,
    # which a loaded machine makes slow), so "not in the future" is checked against the
    # end of the analysis; before the fix events ran "now + frame time" past it.
    finished = time.time()
    assert result.events, "the clip raises an occlusion event"
    store = open_store(None, tmp_path / "data")
    try:
        stored = store.events.list(EventQuery()).items
    finally:
        store.close()
    assert stored
    for event in stored:
        assert event.camera_id == "gate"
        assert event.attrs["source"] == "analyze" and event.attrs["video"] == "clip.mp4"
        assert event.ended_at is not None
        assert event.ended_at <= datetime.fromtimestamp(finished, UTC), "nothing in the future"
        assert event.started_at <= event.ended_at


def test_analyze_leaves_the_live_baselines_alone(nanodet_installed: Path, tmp_path: Path) -> None:
    # Before, an analysis loaded the live camera's crowd baseline, learned from the
    # file and wrote it back over the live one (issue 14).
    from kuzet.rules.baseline import Baseline, baseline_path, save_baseline
    from kuzet.runtime.analyze import batch_state_dir

    clip = _dark_then_textured(tmp_path / "clip.mp4")
    config = KuzetConfig.model_validate({"cameras": {"gate": {
        "source": {"url": "rtsp://live/gate"},
        "rules": [{"id": "crowd", "kind": "unusual_crowd", "threshold": 50}],
    }}})  # fmt: skip
    data = tmp_path / "data"
    live = baseline_path(data / "state", "gate", None)
    learned = Baseline()
    learned.add(10, 7.0)
    save_baseline(live, learned)
    before = (live.read_bytes(), live.stat().st_mtime_ns)
    time.sleep(0.01)
    analyze_video(config, clip, data, progress=False)
    assert (live.read_bytes(), live.stat().st_mtime_ns) == before, "live baseline untouched"
    assert baseline_path(batch_state_dir(data), "gate", None).is_file(), "kept apart"
