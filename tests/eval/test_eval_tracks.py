"""``kuzet eval tracks``: MOT metrics (TrackEval) on the pipeline's person tracks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kuzet.eval.tracks import drop_ignored, read_gt, score

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
GT_ONLY = SHARED / "mot_gt_only"
MOT = SHARED / "mot"


def _kuzet_eval_tracks(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "kuzet.cli", "eval", "tracks", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def _walkers(frames: int, swap_at: int | None = None) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Two people walking apart; ids 1 and 2 (swapped from ``swap_at`` on)."""
    out = {}
    for f in range(1, frames + 1):
        ids = np.array([1.0, 2.0]) if swap_at is None or f < swap_at else np.array([2.0, 1.0])
        boxes = np.array([[10.0 + 3 * f, 50, 40, 100], [400.0 - 3 * f, 60, 40, 100]])
        out[f] = (ids, boxes)
    return out


def test_a_perfect_tracker_scores_one() -> None:
    truth = _walkers(30)
    got = score(truth, truth, 30)
    assert (got["mota"], got["idf1"], got["hota"], got["id_switches"]) == (1.0, 1.0, 1.0, 0)


def test_swapped_identities_are_id_switches() -> None:
    got = score(_walkers(30), _walkers(30, swap_at=15), 30)
    assert got["id_switches"] == 2 and got["id_switches_per_100_tracks"] == 100.0
    assert got["mota"] < 1.0 and got["idf1"] < 1.0


def test_a_missed_person_lowers_mota_by_its_share() -> None:
    truth = _walkers(20)
    half = {f: (ids[:1], boxes[:1]) for f, (ids, boxes) in truth.items()}
    assert score(truth, half, 20)["mota"] == pytest.approx(0.5)


def test_tracks_on_ignored_boxes_are_dropped_one_to_one() -> None:
    tracked = (np.array([5.0, 6.0]), np.array([[0.0, 0, 10, 10], [100.0, 100, 10, 10]]))
    ids, boxes = drop_ignored(tracked, np.array([[1.0, 1, 10, 10]]))
    assert ids.tolist() == [6.0] and boxes.tolist() == [[100.0, 100, 10, 10]]
    assert drop_ignored(tracked, None)[0].tolist() == [5.0, 6.0]


def test_ground_truth_rows_of_mot15_and_mot17_layouts(tmp_path: Path) -> None:
    gt = tmp_path / "gt.txt"
    gt.write_text(
        "1,1,10,10,20,40,1,-1,-1,-1\n"     # MOT15: a person
        "1,2,50,10,20,40,0,-1,-1,-1\n"     # MOT15: conf 0, ignore
        "2,3,10,10,20,40,1,1,0.9\n"        # MOT17: pedestrian
        "2,4,50,10,20,40,1,8,0.5\n"        # MOT17: distractor -> ignore
        "2,5,90,10,20,40,1,3,1.0\n"        # MOT17: a car -> left out
        "9,6,10,10,20,40,1,-1,-1,-1\n"     # beyond the sequence
    )
    scored, ignored = read_gt(gt, length=5)
    assert {f: ids.tolist() for f, (ids, _) in scored.items()} == {1: [1.0], 2: [3.0]}
    assert {f: len(b) for f, b in ignored.items()} == {1: 1, 2: 1}


def test_a_malformed_row_names_file_and_line(tmp_path: Path) -> None:
    gt = tmp_path / "gt.txt"
    gt.write_text("1,1,10,10,20,40,1,-1,-1,-1\n1,x,10\n")
    with pytest.raises(Exception, match=r"gt.txt:2: expected frame,id"):
        read_gt(gt, 10)


@pytest.mark.skipif(not GT_ONLY.is_dir(), reason="shared MOT ground truth not present")
@pytest.mark.parametrize(
    # motmetrics' published figures for its own test tracker output on these sequences
    ("name", "mota", "idf1", "switches", "frag"),
    [("TUD-Campus", 0.526, 0.558, 7, 7), ("TUD-Stadtmitte", 0.564, 0.645, 7, 6)],
)
def test_scores_match_the_reference_implementation(
    name: str, mota: float, idf1: float, switches: int, frag: int
) -> None:
    truth, _ = read_gt(GT_ONLY / name / "gt.txt", 10_000)
    tracker, _ = read_gt(GT_ONLY / name / "test.txt", 10_000)
    got = score(truth, tracker, max(max(truth), max(tracker)))
    assert got["mota"] == pytest.approx(mota, abs=5e-4)
    assert got["idf1"] == pytest.approx(idf1, abs=5e-4)
    assert (got["id_switches"], got["fragmentations"]) == (switches, frag)


@pytest.mark.models
@pytest.mark.skipif(not (MOT / "TUD-Campus").is_dir(), reason="shared MOT sequences not present")
def test_cli_tracks_a_real_sequence_through_the_pipeline(nanodet_installed: Path) -> None:
    result = _kuzet_eval_tracks(str(MOT / "TUD-Campus"), "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["sequence"] == "TUD-Campus" and summary["gt_tracks"] == 8
    assert summary["tracks"] >= 4 and 0.2 < summary["mota"] <= 1.0


def test_cli_names_what_is_missing(tmp_path: Path) -> None:
    result = _kuzet_eval_tracks(str(tmp_path))
    assert result.returncode == 2
    assert "no seqinfo.ini" in result.stderr
