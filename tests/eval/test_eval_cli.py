"""``kuzet eval`` end to end: real commands on small self-made inputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CLIP_SECONDS = 12.0


def _kuzet(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "kuzet.cli", "eval", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def _last_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def short_clip(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 12 s of vtest.avi, stream-copied (no re-encoding)."""
    import av

    out = tmp_path_factory.mktemp("clip") / "vtest_12s.avi"
    with av.open(str(sample_video)) as src, av.open(str(out), "w") as dst:
        stream = src.streams.video[0]
        copy = dst.add_stream_from_template(stream)
        for packet in src.demux(stream):
            if packet.pts is None or packet.pts * (stream.time_base or 0) >= CLIP_SECONDS:
                continue
            packet.stream = copy
            dst.mux(packet)
    return out


@pytest.mark.models
def test_events_matches_people_in_view(
    short_clip: Path, nanodet_installed: Path, tmp_path: Path
) -> None:
    expected = tmp_path / "clip.events.csv"
    # Relative box: the whole frame; pedestrians are in view from the start.
    expected.write_text(
        "type,start_s,end_s,x1,y1,x2,y2,note\nzone_presence,0,12,0,0,1,1,people on the plaza\n",
        encoding="utf-8",
    )
    summary = _last_json(_kuzet("events", str(short_clip), "--expected", str(expected), "--json"))
    assert (summary["matched"], summary["missed"]) == (1, 0)
    assert summary["recall"] == 1.0 and summary["precision"] == 1.0
    assert len(summary["offsets_s"]) == 1 and 0 <= summary["offsets_s"][0] <= 6
    assert summary["by_type"]["zone_presence"]["matched"] == 1
    event = summary["events"][0]
    assert event["type"] == "zone_presence" and event["matched_row"] == 0
    # boxes come back in pixels of the 768x576 original, not the 640-wide analysis frame
    assert event["boxes"] and max(b[2] for b in event["boxes"]) <= 768
    assert summary["frames"] >= 55


def test_events_names_types_no_rule_produces(tmp_path: Path) -> None:
    expected = tmp_path / "clip.events.csv"
    expected.write_text("type,start_s,end_s\nfight,1,2\nzone_presence,3,4\n", encoding="utf-8")
    video = tmp_path / "clip.avi"
    video.write_bytes(b"")
    proc = _kuzet("events", str(video), "--expected", str(expected), "--json")
    assert proc.returncode == 2
    assert "fight" in proc.stderr and "zone_presence" not in proc.stderr.split("[")[1]


@pytest.mark.models
def test_counts_reports_classes_and_directions(short_clip: Path, nanodet_installed: Path) -> None:
    from kuzet.eval.defaults import available_kinds

    if "line_crossing" not in available_kinds():
        pytest.skip("the line_crossing rule is not in this tree yet")
    truth = short_clip.parent / "truth.csv"
    truth.write_text("t_s,class,direction,note\n500,person,in,after the clip ends\n")
    proc = _kuzet(
        "counts", str(short_clip), "--line", "38,346,730,346", "--classes", "person", "--json",
        "--truth", str(truth), "--anchor", "centre",
    )
    summary = _last_json(proc)
    # the one true crossing lies past the clip: nothing can match it
    assert (summary["matched"], summary["missed"]) == (0, 1)
    assert summary["extra"] == summary["total"]
    assert summary["by_direction"]["in"]["truth"] == 1
    assert summary["line"] == pytest.approx([0.0495, 0.6007, 0.9505, 0.6007], abs=1e-3)
    assert set(summary["counts"]) <= {"person"}
    assert summary["total"] == sum(r["in"] + r["out"] for r in summary["counts"].values())
    assert summary["frames"] >= 55 and summary["fps"] > 0
    assert all(
        c["label"] == "person" and c["direction"] in {"in", "out"} for c in summary["crossings"]
    )


def test_counts_rejects_a_bad_line(tmp_path: Path, sample_video: Path) -> None:
    proc = _kuzet("counts", str(sample_video), "--line", "0,0.5,1")
    assert proc.returncode == 2 and "4 numbers" in proc.stderr


def test_counts_names_the_bad_truth_row(tmp_path: Path, sample_video: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text("t_s,class,direction\n1.5,car,in\n2.0,car,sideways\n")
    proc = _kuzet("counts", str(sample_video), "--line", "0,0.5,1,0.5", "--truth", str(truth))
    assert proc.returncode == 2 and "truth.csv:3: direction must be in or out" in proc.stderr


@pytest.mark.models
def test_crowd_reports_errors_per_image(
    sample_video: Path, nanodet_installed: Path, tmp_path: Path
) -> None:
    import av
    import cv2

    with av.open(str(sample_video)) as container:
        frames = [
            f.to_ndarray(format="bgr24")
            for _, f in zip(range(2), container.decode(video=0), strict=False)
        ]
    (tmp_path / "images").mkdir()
    for n, frame in enumerate(frames):
        cv2.imwrite(str(tmp_path / "images" / f"f{n}.jpg"), frame)
    (tmp_path / "counts.csv").write_text("image,count\nf0.jpg,4\nf1.jpg,40\n", encoding="utf-8")
    summary = _last_json(_kuzet("crowd", str(tmp_path), "--json"))
    assert [r["image"] for r in summary["images"]] == ["f0.jpg", "f1.jpg"]
    errors = [r["predicted"] - r["expected"] for r in summary["images"]]
    assert [r["error"] for r in summary["images"]] == errors
    assert summary["mae"] == pytest.approx(sum(abs(e) for e in errors) / 2, abs=1e-3)
    assert summary["mean_count"] == 22.0
    assert summary["rmse"] >= summary["mae"] and summary["ms_per_image"] > 0


def test_crowd_missing_counts_is_a_clear_error(tmp_path: Path) -> None:
    proc = _kuzet("crowd", str(tmp_path))
    assert proc.returncode == 2 and "counts.csv" in proc.stderr


def test_events_with_config_needs_a_rule_raising_each_type(tmp_path: Path) -> None:
    config = tmp_path / "cam.yml"
    config.write_text(
        "cameras:\n"
        "  gate:\n"
        "    source: {url: unused}\n"
        "    lines: {road: {start: [0, 0.5], end: [1, 0.5]}}\n"
        "    rules: [{kind: line_crossing, id: road, line: road}]\n",
        encoding="utf-8",
    )
    expected = tmp_path / "clip.events.csv"
    expected.write_text("type,start_s,end_s\nline_crossing,1,\n", encoding="utf-8")
    video = tmp_path / "clip.avi"
    video.write_bytes(b"")
    proc = _kuzet("events", str(video), "--expected", str(expected), "-c", str(config))
    assert proc.returncode == 2
    assert "line_crossing" in proc.stderr and "emit_events" in proc.stderr
