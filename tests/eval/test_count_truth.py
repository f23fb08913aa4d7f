"""Line counts against ground truth: one-to-one matching in time, per class and direction."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzet.core.errors import ConfigError
from kuzet.eval.count_truth import Crossing, match_crossings, read_truth


def _c(t: float, label: str = "car", d: str = "in") -> Crossing:
    return Crossing(t, label, d)


@pytest.mark.parametrize(
    ("truth", "counted", "matched", "missed", "extra", "class_right"),
    [
        ([_c(1), _c(5)], [_c(1.2), _c(5.4)], 2, 0, 0, 2),
        ([_c(1), _c(5)], [_c(1.2)], 1, 1, 0, 1),
        ([_c(1)], [_c(1.1), _c(1.3)], 1, 0, 1, 1),  # one true crossing matches once
        ([_c(1)], [_c(4)], 0, 1, 1, 0),  # beyond the tolerance
        ([_c(1, d="in")], [_c(1, d="out")], 0, 1, 1, 0),  # wrong direction never matches
        ([_c(1, "truck")], [_c(1, "car")], 1, 0, 0, 0),  # matched, class wrong
        # the nearest pairing overall, not greedy: 2.0 goes to 2.1, so 1.0 keeps 0.2
        ([_c(1.0), _c(2.0)], [_c(0.2), _c(2.1)], 2, 0, 0, 2),
    ],
)
def test_matching(truth: list[Crossing], counted: list[Crossing], matched: int, missed: int,
                  extra: int, class_right: int) -> None:
    got = match_crossings(truth, counted, tolerance_s=1.0)
    assert (got["matched"], got["missed"], got["extra"], got["class_right"]) == (
        matched, missed, extra, class_right)


def test_per_class_and_direction_tables() -> None:
    truth = [_c(1, "truck", "in"), _c(3, "car", "out"), _c(6, "car", "out")]
    counted = [_c(1.1, "car", "in"), _c(3.2, "car", "out")]
    got = match_crossings(truth, counted, 1.0)
    assert got["by_class"] == {
        "car": {"in": {"truth": 0, "counted": 1, "matched": 0},
                "out": {"truth": 2, "counted": 1, "matched": 1}},
        "truck": {"in": {"truth": 1, "counted": 0, "matched": 1}},
    }
    assert got["by_direction"]["out"] == {"truth": 2, "counted": 1, "error_pct": -50.0}
    assert got["class_accuracy"] == 0.5


def test_truth_csv_reads_extra_columns_and_names_bad_rows(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("frame,t_s,class,direction,who\n12,0.4,Car,IN,me\n40,1.3,bus,out,me\n")
    assert read_truth(good) == [Crossing(0.4, "car", "in"), Crossing(1.3, "bus", "out")]
    missing = tmp_path / "missing.csv"
    missing.write_text("t_s,direction\n1,in\n")
    with pytest.raises(ConfigError, match=r"missing \['class'\]"):
        read_truth(missing)
    bad = tmp_path / "bad.csv"
    bad.write_text("t_s,class,direction\nsoon,car,in\n")
    with pytest.raises(ConfigError, match=r"bad.csv:2: t_s must be seconds"):
        read_truth(bad)
