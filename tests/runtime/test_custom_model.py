"""A user's own YOLO export with its own classes runs end to end.

The model is built here (``yolo_models.helmet_model``: a v8-layout ONNX graph
with classes ``helmet`` and ``vest`` in its ultralytics metadata; it finds one
helmet in the middle of whatever it is shown). It runs on the real sample video
through ``kuzet analyze`` (a subprocess, real SQLite store) and through the
embedded runtime (camera worker process + detector process), with ``helmet``
in ``detect.classes`` and in a rule.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from factories import box_at, make_detections, make_frame, make_pipeline, running_supervisor
from kuzet.config.cameras import CameraConfig
from kuzet.config.root import KuzetConfig
from kuzet.core.types import CameraState, EventKind, EventPhase
from yolo_models import helmet_model


def _config(model: Path, video: Path, classes: list[str]) -> dict[str, object]:
    return {
        "cameras": {
            "site": {
                "source": {"url": str(video), "pace": "fast", "loop": False},
                "detect": {"model": {"type": "yolo", "path": str(model)}, "classes": classes},
                "zones": {"yard": {"points": [[0, 0], [1, 0], [1, 1], [0, 1]]}},
                "rules": [{"kind": "zone_presence", "id": "helmets", "zone": "yard",
                           "classes": ["helmet"], "min_duration": 1}],
            }
        }
    }


def _analyze(config: dict[str, object], video: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    import yaml

    path = tmp_path / "site.yml"
    path.write_text(yaml.safe_dump(config))
    cmd = [sys.executable, "-m", "kuzet.cli", "analyze", str(video), "--config", str(path),
           "--data-dir", str(tmp_path / "data"), "--json"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)


def test_custom_model_through_kuzet_analyze(sample_video: Path, tmp_path: Path) -> None:
    model = helmet_model(tmp_path / "helmet.onnx")
    proc = _analyze(_config(model, sample_video, ["helmet", "vest"]), sample_video, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["analysed_frames"] >= 350  # 79.5 s at 5 frames/s
    events = summary["events"]
    assert [(e["kind"], e["rule_id"]) for e in events] == [("zone_presence", "helmets")]
    assert events[0]["labels"] == ["helmet"] and events[0]["ended_at"]
    assert summary["stats"]["region_passes"] > 0  # crops planned at the model's 320 px
    from kuzet.store import open_store
    from kuzet.store.events import EventQuery

    store = open_store(None, tmp_path / "data")
    try:
        (stored,) = store.events.list(EventQuery(cameras=["site"], limit=10)).items
    finally:
        store.close()
    assert stored.snapshot_key and stored.labels == ["helmet"]


def test_analyze_rejects_a_class_the_model_lacks(sample_video: Path, tmp_path: Path) -> None:
    model = helmet_model(tmp_path / "helmet.onnx")
    proc = _analyze(_config(model, sample_video, ["person"]), sample_video, tmp_path)
    assert proc.returncode == 2
    assert "cameras.site.detect.classes: unknown class names ['person']" in proc.stderr
    assert "['helmet', 'vest']" in proc.stderr


def test_custom_model_through_the_camera_worker(sample_video: Path, tmp_path: Path) -> None:
    model = helmet_model(tmp_path / "helmet.onnx")
    config = KuzetConfig.model_validate(_config(model, sample_video, ["helmet"]))
    with running_supervisor(config, tmp_path / "media") as (supervisor, seen):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(
                e.phase is EventPhase.OPEN for e in seen):
            time.sleep(0.2)
        (health,) = supervisor.camera_health()
    opened = [e for e in seen if e.phase is EventPhase.OPEN]
    assert opened, f"no event; camera health {health}"
    assert opened[0].kind is EventKind.ZONE_PRESENCE and opened[0].labels == ("helmet",)
    assert health.restarts == 0 and health.state is not CameraState.OFFLINE, health


@pytest.mark.parametrize("size", [(256, 256), (416, 416), (512, 384)])
def test_region_crops_are_the_models_input_size(size: tuple[int, int]) -> None:
    crops: list[float] = []

    def detect(image, regions):  # type: ignore[no-untyped-def]
        if regions is not None:
            crops.extend((regions[:, 2] - regions[:, 0]).tolist())
        return make_detections([box_at(320, 300, w=30, h=60)], classes="helmet",
                               class_names=("helmet", "vest"))

    cam = CameraConfig.model_validate(
        {"source": {"url": "x.mp4"}, "detect": {"classes": ["helmet"]}, "rules": []})
    pipeline = make_pipeline(cam, detect, class_names=("helmet", "vest"), input_size=size)
    for i in range(8):  # flat frames: after the first full pass, crops around the track
        pipeline.process(make_frame(ts=i * 0.2, seq=i))
    assert crops and set(crops) == {float(min(size))}
