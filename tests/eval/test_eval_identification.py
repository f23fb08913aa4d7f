"""``kuzet eval faces DIR --gallery --probes``: layout, open-set metrics, real search."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzet.core.errors import KuzetError
from kuzet.eval.identification import (
    Search,
    _ranks,
    evaluate_identification,
    fnir_at_fpir,
    open_set,
    read_identities,
    split,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "faces" / \
    "face_recognition_examples"


def _layout(tmp_path: Path, rows: list[str]) -> Path:
    for row in rows:
        path = tmp_path / row.split(",")[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    (tmp_path / "identities.csv").write_text("file,identity,note\n" + "\n".join(rows) + "\n")
    return tmp_path


def test_gallery_and_probes_split_with_group_unknown_and_video_rows(tmp_path: Path) -> None:
    folder = _layout(tmp_path, [
        "g/ann.jpg,ann,", "g/bob.jpg,bob,", "p/ann2.jpg,ann,", "p/pair.jpg,ann+cy,",
        "p/who.jpg,unknown (2 faces),", "p/clip.mp4,ann,", "p/cy.png,cy,",
    ])  # fmt: skip
    gallery, probes, skipped = split(read_identities(folder), folder, "g", "p")
    assert [r.path.name for r in gallery] == ["ann.jpg", "bob.jpg"]
    assert [(r.path.name, sorted(r.people)) for r in probes] == [
        ("ann2.jpg", ["ann"]), ("pair.jpg", ["ann", "cy"]), ("cy.png", ["cy"])]
    assert skipped == 2  # the video and the row nobody is named in
    _all, everything, _ = split(read_identities(folder), folder, "g", ".")
    assert len(everything) == 3  # '.': every non-gallery row, never a gallery image


@pytest.mark.parametrize(
    ("rows", "gallery", "message"),
    [
        (["g/a.jpg,ann"], "h", "no image"),
        (["g/a.jpg,ann+bob"], "g", "one known person"),
        (["g/a.jpg,ann"], "g", "no probe"),
    ],
)
def test_bad_layouts_are_refused(
    tmp_path: Path, rows: list[str], gallery: str, message: str
) -> None:
    folder = _layout(tmp_path, rows)
    with pytest.raises(KuzetError, match=message):
        split(read_identities(folder), folder, gallery, ".")


def test_missing_columns_are_refused(tmp_path: Path) -> None:
    (tmp_path / "identities.csv").write_text("image,name\na.jpg,ann\n")
    with pytest.raises(KuzetError, match="missing column"):
        read_identities(tmp_path)


SEARCHES = [
    Search(frozenset({"ann"}), [("ann", 0.3), ("bob", 0.8)]),  # right, close
    Search(frozenset({"ann"}), [("bob", 0.5), ("ann", 0.55)]),  # wrong at rank 1, right at 2
    Search(frozenset({"bob"}), [("bob", 0.65), ("ann", 0.9)]),  # right, beyond 0.6
    Search(frozenset({"zed"}), [("ann", 0.45), ("bob", 0.7)]),  # not enrolled: alerts at 0.6
    Search(frozenset({"kim"}), [("bob", 0.75), ("ann", 0.8)]),  # not enrolled: silent
]


def test_open_set_rates_at_a_threshold() -> None:
    found = open_set(SEARCHES, {"ann", "bob"}, 0.6)
    assert found == {"tpir": pytest.approx(1 / 3, abs=1e-4), "fnir": pytest.approx(2 / 3, abs=1e-4),
                     "fpir": 0.5, "false_alerts_per_1000": 400.0}  # fmt: skip
    rank1, rank5, gap = _ranks(SEARCHES, {"ann", "bob"})
    assert (rank1, rank5) == (pytest.approx(2 / 3, abs=1e-4), 1.0)
    assert gap == pytest.approx(0.45 - 0.65)  # a wrong alert closer than a right answer


def test_fnir_at_fpir_picks_the_best_threshold_for_each_false_positive_rate() -> None:
    found = fnir_at_fpir(SEARCHES, {"ann", "bob"})
    # FPIR 0 needs a threshold under 0.45: only the 0.3 probe is identified.
    assert found["fnir_at_fpir_0"] == pytest.approx(2 / 3, abs=1e-4)
    assert found["fnir_at_fpir_0.1"] == pytest.approx(2 / 3, abs=1e-4)


def test_identification_on_the_shared_faces() -> None:
    if not (DATA / "identities.csv").is_file():
        pytest.skip(f"{DATA} not found")
    from kuzet.models.paths import find_model

    if find_model("centerface") is None:
        pytest.skip("centerface not installed (run `kuzet models install`)")
    found = evaluate_identification(DATA, "examples/knn_examples/train", ".", 0.6)
    assert (found["identities_enrolled"], found["mated"], found["non_mated"]) == (5, 20, 1)
    assert found["rank1"] == 1.0 and found["false_alerts_per_1000"] == 0.0
    assert found["fpir"] == 0.0 and found["tpir"] == 1.0
    assert all(set(r) == {"file", "people", "nearest"} for r in found["results"])
