"""``kuzet eval faces`` on a tiny self-made pairs.csv, and its metrics."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from kuzet.eval.faces import best_threshold, roc_auc, tar_at_far
from kuzet.eval.roc import rates, roc_points, threshold_at_far

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "faces" / \
    "face_recognition_examples" / "examples"
IMAGES = {
    "o1.jpg": "obama.jpg",
    "o2.jpg": "obama2.jpg",
    "b1.jpg": "biden.jpg",
    "b2.jpg": "knn_examples/train/biden/biden2.jpg",
}


def test_metrics_on_known_distances() -> None:
    dist = np.array([0.3, 0.4, 0.55, 0.7, 0.8, 0.5])
    same = np.array([True, True, True, False, False, False])
    assert roc_auc(dist, same) == pytest.approx(8 / 9)
    t, acc = best_threshold(dist, same)
    assert acc == pytest.approx(5 / 6) and 0.4 < t < 0.7
    assert tar_at_far(dist, same, 0.0) == pytest.approx(2 / 3)  # below 0.5, the closest impostor


@pytest.mark.parametrize(
    ("threshold", "tpr", "fpr"),
    [(0.45, 2 / 3, 0.0), (0.5, 2 / 3, 1 / 3), (0.6, 1.0, 1 / 3), (0.9, 1.0, 1.0)],
)
def test_rates_at_a_threshold(threshold: float, tpr: float, fpr: float) -> None:
    dist = np.array([0.3, 0.4, 0.55, 0.7, 0.8, 0.5])
    same = np.array([True, True, True, False, False, False])
    assert rates(dist, same, threshold) == (pytest.approx(tpr), pytest.approx(fpr))


@pytest.mark.parametrize(
    ("far", "threshold"),
    [
        (0.0, 0.49),  # no false accept: just under the closest different pair (0.5)
        (1e-3, 0.49),  # 3 different pairs cannot allow one in a thousand
        (0.34, 0.6),  # one of three allowed: between 0.5 and 0.7
        (1.0, 0.8),
    ],
)
def test_threshold_for_a_stated_false_accept_rate(far: float, threshold: float) -> None:
    dist = np.array([0.3, 0.4, 0.55, 0.7, 0.8, 0.5])
    same = np.array([True, True, True, False, False, False])
    chosen = threshold_at_far(dist, same, far)
    assert chosen == pytest.approx(threshold)
    assert rates(dist, same, chosen)[1] <= far


def test_roc_points_run_from_accept_nothing_to_accept_all() -> None:
    dist = np.array([0.3, 0.4, 0.55, 0.7, 0.8, 0.5])
    same = np.array([True, True, True, False, False, False])
    points = roc_points(dist, same, 5)
    assert points[-1]["tpr"] == 1.0 and points[-1]["fpr"] == 1.0
    assert [p["fpr"] for p in points] == sorted(p["fpr"] for p in points)


def test_cli_on_tiny_pairs(tmp_path: Path) -> None:
    if not all((EXAMPLES / src).is_file() for src in IMAGES.values()):
        pytest.skip(f"face images not found under {EXAMPLES}")
    from kuzet.models.paths import find_model

    if find_model("centerface") is None:
        pytest.skip("centerface not installed (run `kuzet models install`)")
    for name, src in IMAGES.items():
        shutil.copy(EXAMPLES / src, tmp_path / name)
    cv2.imwrite(str(tmp_path / "blank.png"), np.full((200, 200, 3), 128, np.uint8))
    rows = ["image_a,image_b,same", "o1.jpg,o2.jpg,1", "b1.jpg,b2.jpg,1", "o1.jpg,b1.jpg,0",
            "o2.jpg,b2.jpg,0", "o1.jpg,blank.png,0"]
    (tmp_path / "pairs.csv").write_text("\n".join(rows) + "\n")
    cmd = [sys.executable, "-m", "kuzet.cli", "eval", "faces", str(tmp_path), "--json",
           "--threshold", "0.6"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["pairs"] == 4 and result["failed_detections"] == 1
    assert result["accuracy"] == 1.0 and result["roc_auc"] == 1.0
    assert result["tar_at_far_1e-2"] == 1.0 and result["best_accuracy"] == 1.0
    assert 0.0 < result["best_threshold"] < 1.2
    assert (result["tpr"], result["fpr"]) == (1.0, 0.0)  # at 0.6
    assert result["pairs_without_face"] == 1 and result["different_pairs"] == 2
    assert result["tpr_at_far"] == 1.0 and result["fpr_at_far"] == 0.0
    assert {"tar_at_far_1e-3", "threshold_at_far", "roc"} <= set(result)


def test_cli_reports_bad_folder(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "kuzet.cli", "eval", "faces", str(tmp_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert "pairs.csv" in proc.stderr
