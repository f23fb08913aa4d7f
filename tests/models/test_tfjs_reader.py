"""Weight decoding of the TFJS reader: every stored dtype, shards split mid-weight."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kuzet.core.errors import ModelError
from kuzet.models.tfjs.reader import load_tfjs

F32 = np.array([[0.5, -1.25], [3.0, 7.5]], np.float32)
Q8 = np.array([0, 128, 255], np.uint8)
Q16 = np.array([0, 65535], np.uint16)
I32 = np.array([-3, 0, 2**31 - 1], np.int32)
BOOLS = np.array([True, False, True])
STRINGS = [b"abc", b"", b"\xe2\x82\xac"]


def _strings() -> bytes:
    return b"".join(len(s).to_bytes(4, "little") + s for s in STRINGS)


def _write(folder: Path) -> Path:
    specs = [
        {"name": "f16", "shape": [2, 2], "dtype": "float32",
         "quantization": {"dtype": "float16", "original_dtype": "float32"}},
        {"name": "q8", "shape": [3], "dtype": "float32",
         "quantization": {"dtype": "uint8", "min": -1.0, "scale": 0.5}},
        {"name": "q16", "shape": [2], "dtype": "float32",
         "quantization": {"dtype": "uint16", "min": 2.0, "scale": 0.25}},
        {"name": "i32", "shape": [3], "dtype": "int32"},
        {"name": "flags", "shape": [3], "dtype": "bool"},
        {"name": "words", "shape": [3], "dtype": "string"},
        {"name": "scalar", "shape": [], "dtype": "float32"},
    ]
    blob = (F32.astype(np.float16).tobytes() + Q8.tobytes() + Q16.tobytes() + I32.tobytes()
            + BOOLS.astype(np.uint8).tobytes() + _strings() + np.float32(4.0).tobytes())
    cut = 11  # split the byte stream inside a weight: shards are concatenated first
    (folder / "w1.bin").write_bytes(blob[:cut])
    (folder / "w2.bin").write_bytes(blob[cut:])
    doc = {"format": "graph-model", "modelTopology": {"node": []},
           "weightsManifest": [{"paths": ["w1.bin", "w2.bin"], "weights": specs}]}
    path = folder / "model.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("f16", F32),
        ("q8", np.array([-1.0, 63.0, 126.5], np.float32)),
        ("q16", np.array([2.0, 2.0 + 65535 * 0.25], np.float32)),
        ("i32", I32),
        ("flags", BOOLS),
        ("scalar", np.array(4.0, np.float32)),
    ],
)
def test_weights_decode(tmp_path: Path, name: str, expected: np.ndarray) -> None:
    value = load_tfjs(_write(tmp_path)).weights[name]
    assert value.dtype == expected.dtype and value.shape == expected.shape
    np.testing.assert_array_equal(value, expected)


def test_strings_decode(tmp_path: Path) -> None:
    assert load_tfjs(_write(tmp_path)).weights["words"].tolist() == STRINGS


def test_short_shard_is_model_error(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (tmp_path / "w2.bin").write_bytes(b"\0" * 4)
    with pytest.raises(ModelError, match="model.json"):
        load_tfjs(path)
