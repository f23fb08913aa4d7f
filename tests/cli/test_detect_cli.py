"""`kuzet detect`: errors, JSON output, annotated image."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kuzet.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["detect", *args])
    return result.exit_code, result.output


@pytest.fixture
def image_file(tmp_path: Path) -> Path:
    import cv2

    image = np.full((120, 480, 3), 255, np.uint8)
    cv2.putText(image, "KZ 123 ABC", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.8, (0, 0, 0), 4)
    path = tmp_path / "sign.png"
    cv2.imwrite(str(path), image)
    return path


def test_missing_file_is_named(tmp_path: Path) -> None:
    code, output = invoke(str(tmp_path / "nope.avi"))
    assert code == 1 and "nope.avi" in output


def test_frame_beyond_the_end_names_file_and_frame(sample_video: Path, tmp_path) -> None:
    code, output = invoke(str(sample_video), "--frame", "99999", "--task", "text",
                          "--out", str(tmp_path / "x.png"))
    assert code == 1 and "frame 99999" in output and sample_video.name in output


def test_missing_models_say_to_install(monkeypatch, tmp_path: Path, image_file: Path) -> None:
    monkeypatch.setenv("KUZET_MODELS", str(tmp_path / "empty"))
    code, output = invoke(str(image_file), "--task", "faces")
    assert code == 1 and "kuzet models install" in output


def test_text_json_and_annotated_png(tmp_path: Path, image_file: Path) -> None:
    out = tmp_path / "ann.png"
    code, output = invoke(str(image_file), "--task", "text", "--json", "--out", str(out))
    assert code == 0, output
    report = json.loads(output.strip().splitlines()[-1])
    assert report["counts"]["text"] >= 1 and report["latency_ms"] > 0
    assert {"label", "score", "box", "text"} <= set(report["detections"][0])
    assert out.is_file()


@pytest.mark.models
def test_people_on_vtest_frame_200(nanodet_installed, sample_video, tmp_path) -> None:
    out = tmp_path / "vtest.png"
    code, output = invoke(str(sample_video), "--frame", "200", "--json", "--out", str(out))
    assert code == 0, output
    report = json.loads(output.strip().splitlines()[-1])
    assert 6 <= report["counts"].get("person", 0) <= 14
    assert out.is_file()
