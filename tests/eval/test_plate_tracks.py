"""Simulated plate tracks: degraded views of a still, read and voted per track."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kuzet.eval.plate_tracks import TrackResult, summarise, track_of, views_of


def test_views_are_repeatable_far_to_near() -> None:
    image = np.random.default_rng(1).integers(0, 255, (60, 200, 3), dtype=np.uint8)
    a, b = views_of(image, 4, seed=7), views_of(image, 4, seed=7)
    assert [v.shape for v in a] == [(27, 90, 3), (38, 127, 3), (49, 163, 3), (60, 200, 3)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(views_of(image, 4, seed=8)[-1], a[-1])


def test_summary_rates() -> None:
    tracks = [
        TrackResult("a.jpg", "123ABC01", ("123ABC01", "", "123A8C01"), "123A8C01", "123ABC01", 2),
        TrackResult("b.jpg", "RK099AN", ("RKO99AN", "RK099AN", ""), "RKO99AN", "RKO99AN", 2),
    ]
    found = summarise(tracks, 3, 1.0)
    assert found["frame_exact"] == pytest.approx(2 / 6, abs=1e-4)
    assert (found["track_exact_best_frame"], found["track_exact"]) == (0.0, 0.5)
    assert found["track_exact_folded"] == 1.0 and found["mean_looks"] == 2.0


def _render() -> object:
    """The plate renderer of tests/enrich/plate/test_synthetic_plates.py."""
    path = Path(__file__).resolve().parents[1] / "enrich" / "plate" / "test_synthetic_plates.py"
    spec = importlib.util.spec_from_file_location("synthetic_plates", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render


def test_a_track_of_degraded_views_of_a_rendered_plate_is_decided_exactly() -> None:
    from kuzet.enrich.plate.reader import PlateReader

    render: Any = _render()

    try:
        reader = PlateReader(countries=("KZ",))
    except Exception as error:  # noqa: BLE001 - models absent on a fresh machine
        pytest.skip(f"plate models unavailable: {error}")
    views = views_of(render(["123 ABC 02"], "KZ"), 5, seed=3)
    texts, _best, decision, looks = track_of("crops", reader, None, views)
    assert decision == "123ABC02" and looks >= 3, texts
