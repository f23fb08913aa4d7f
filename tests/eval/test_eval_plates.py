"""``kuzet eval plates``: crops + labels.csv end to end; openalpr-style parsing and metrics."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from kuzet.config.root import KuzetConfig
from kuzet.core.errors import ConfigError
from kuzet.enrich.plate.ctc import normalise
from kuzet.eval.confusion import confusions
from kuzet.eval.plates import (
    box_hit,
    char_accuracy,
    deployment_countries,
    edit_distance,
    read_samples,
)

PLATES = ["123ABC01", "A123BC77", "WA56660"]


def render_plate(text: str) -> np.ndarray:
    """A clean black-on-white plate image (what a tight plate crop looks like)."""
    image = np.full((60, 40 + 30 * len(text), 3), 255, np.uint8)
    cv2.rectangle(image, (2, 2), (image.shape[1] - 3, 57), (0, 0, 0), 2)
    cv2.putText(image, text, (14, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (0, 0, 0), 3)
    return image


@pytest.fixture
def crops_dir(tmp_path: Path) -> Path:
    rows = ["image,plate"]
    for i, text in enumerate(PLATES):
        cv2.imwrite(str(tmp_path / f"p{i}.png"), render_plate(text))
        rows.append(f"p{i}.png,{text}")
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path


def test_eval_plates_cli_on_rendered_crops(crops_dir: Path) -> None:
    cmd = [sys.executable, "-m", "kuzet.cli", "eval", "plates", str(crops_dir), "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {"exact_match", "char_accuracy", "detection_recall", "images", "p50_ms"} <= set(summary)
    assert {"found", "confusions"} <= set(summary) and summary["found"] == 1.0
    assert summary["images"] == len(PLATES) and summary["layout"] == "crops"
    assert summary["detection_recall"] is None  # crops: no boxes
    assert summary["exact_match"] >= 2 / 3 and summary["char_accuracy"] >= 0.9
    assert [r["plate"] for r in summary["results"]] == PLATES


def test_eval_plates_cli_rejects_a_folder_without_labels(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "kuzet.cli", "eval", "plates", str(tmp_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2 and "labels.csv" in proc.stderr


def test_openalpr_rows(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.jpg"), render_plate("AB123CD"))
    cv2.imwrite(str(tmp_path / "b.jpg"), render_plate("AB123CE"))
    (tmp_path / "a.txt").write_text("a.jpg\t10\t20\t100\t30\tAB123CD\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("b.png\t0\t0\t0\t0\tAB123CE\n", encoding="utf-8")  # .png: stem
    layout, samples = read_samples(tmp_path)
    assert layout == "images"
    assert [(s.path.name, s.plate, s.box) for s in samples] == [
        ("a.jpg", "AB123CD", (10.0, 20.0, 110.0, 50.0)),
        ("b.jpg", "AB123CE", None),
    ]
    (tmp_path / "c.txt").write_text("c.jpg\t1\t2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="c.txt"):
        read_samples(tmp_path)


@pytest.mark.parametrize(
    ("a", "b", "distance", "accuracy"),
    [("123ABC01", "123ABC01", 0, 1.0), ("123A8C01", "123ABC01", 1, 0.875), ("", "AB", 2, 0.0)],
)
def test_edit_distance_and_char_accuracy(a: str, b: str, distance: int, accuracy: float) -> None:
    assert edit_distance(a, b) == distance
    assert char_accuracy(a, b) == pytest.approx(accuracy)


@pytest.mark.parametrize(
    ("predicted", "hit"),
    [
        ((10.0, 20.0, 110.0, 50.0), True),  # same box
        ((0.0, 0.0, 400.0, 300.0), True),  # large, but holds the centre
        ((100.0, 40.0, 200.0, 80.0), False),  # small corner overlap
    ],
)
def test_box_hit(predicted: tuple[float, float, float, float], hit: bool) -> None:
    assert box_hit(predicted, (10.0, 20.0, 110.0, 50.0)) is hit


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("RKO99AN", "RK099AN"), ("BO", "B0")], [("O", "0", 2)]),
        ([("1B19839", "1B189839")], [("", "8", 1)]),  # an extra character
        ([("皖A5T949", "A5T949")], [("皖", "", 1)]),  # a missing one
        ([("ABC", "")], []),  # no read: counted by `found`, not as confusions
        ([("Ж123", "X123")], [("Ж", "X", 1)]),  # Cyrillic Ж kept and compared
    ],
)
def test_confusions(pairs: list[tuple[str, str]], expected: list[tuple[str, str, int]]) -> None:
    found = confusions(pairs)
    assert [(c["truth"], c["read"], c["count"]) for c in found] == expected


@pytest.mark.parametrize(
    ("cameras", "expected"),
    [
        ({"a": {}}, ("KZ", "RU", "EU", "US", "CN")),  # the plates default
        ({"a": {"plates": {"enabled": True, "countries": ["KZ"]}},
          "b": {"plates": {"countries": ["US"]}}}, ("KZ",)),  # only plate-reading cameras
        ({"a": {"plates": {"enabled": True, "countries": ["KZ", "RU"]}},
          "b": {"plates": {"enabled": True, "countries": ["UA", "KZ"]}}}, ("KZ", "RU", "UA")),
        ({"a": {"plates": {"countries": ["BR"]}}}, ("BR",)),  # none reads: every camera's
    ],
)
def test_countries_default_comes_from_the_deployment(
    cameras: dict[str, Any], expected: tuple[str, ...]
) -> None:
    src = {"source": {"url": "rtsp://example/stream"}}
    cfg = KuzetConfig.model_validate(
        {"cameras": {name: {**src, **cam} for name, cam in cameras.items()}}
    )
    assert deployment_countries(cfg) == expected
    assert deployment_countries(None) == ("KZ", "RU", "EU", "US", "CN")


def test_labels_keep_every_character_and_compare_cyrillic_as_latin(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), render_plate("A123BC77"))
    (tmp_path / "labels.csv").write_text(
        "image,plate\na.png,А 123 ВС 77\na.png,Ж 123 ЦС 77\n", encoding="utf-8"
    )
    _layout, samples = read_samples(tmp_path)
    assert [normalise(s.plate) for s in samples] == ["A123BC77", "Ж123ЦC77"]
