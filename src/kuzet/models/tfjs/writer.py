"""Write small TensorFlow.js graph models (model.json + one .bin shard).

Meant for tests and fixtures: it lets a test build a TFJS graph op by op,
with float16- or uint8-quantised weights, without TensorFlow or npm.

Example:
    >>> w = TfjsWriter()
    >>> w.placeholder("x", [1, 4], "DT_FLOAT")
    'x'
    >>> w.op("y", "Relu", ["x"])
    'y'
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np

_TF_DTYPE = {np.dtype(np.int32): "DT_INT32", np.dtype(np.float32): "DT_FLOAT",
             np.dtype(np.bool_): "DT_BOOL"}
_JS_DTYPE = {"DT_INT32": "int32", "DT_FLOAT": "float32", "DT_BOOL": "bool"}


def attr_s(text: str) -> dict[str, str]:
    """A string attribute (base64, as TFJS stores it)."""
    return {"s": base64.b64encode(text.encode()).decode()}


def attr_ints(values: list[int]) -> dict[str, Any]:
    """An integer-list attribute."""
    return {"list": {"i": [str(v) for v in values]}}


def attr_strs(values: list[str]) -> dict[str, Any]:
    """A string-list attribute."""
    return {"list": {"s": [attr_s(v)["s"] for v in values]}}


class TfjsWriter:
    """Builds a TFJS graph model in memory and writes it to a folder.

    Attributes:
        values: Each constant as the converter should decode it (after the
            quantisation round trip), for computing reference outputs.
    """

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.specs: list[dict[str, Any]] = []
        self.blobs: list[bytes] = []
        self.values: dict[str, np.ndarray] = {}
        self.inputs: dict[str, dict[str, Any]] = {}

    def const(self, name: str, value: np.ndarray, quant: str | None = None) -> str:
        """Add a Const; ``quant`` is None, ``"float16"`` or ``"uint8"`` (affine)."""
        dtype = _TF_DTYPE[value.dtype]
        spec: dict[str, Any] = {"name": name, "shape": list(value.shape),
                                "dtype": _JS_DTYPE[dtype]}
        stored: np.ndarray = value
        decoded: np.ndarray = value
        if quant == "float16":
            spec["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
            stored = value.astype(np.float16)
            decoded = stored.astype(np.float32)
        elif quant == "uint8":
            low, scale = float(value.min()), float(np.ptp(value)) / 255.0 or 1.0
            stored = np.round((value - low) / scale).astype(np.uint8)
            spec["quantization"] = {"dtype": "uint8", "min": low, "scale": scale}
            decoded = (stored * scale + low).astype(np.float32)
        self.specs.append(spec)
        self.blobs.append(stored.tobytes())
        self.values[name] = decoded
        self.nodes.append({"name": name, "op": "Const", "attr": {"dtype": {"type": dtype}}})
        return name

    def placeholder(self, name: str, shape: list[int], dtype: str) -> str:
        """Add a graph input (``-1`` for dynamic dims)."""
        dims = {"dim": [{"size": str(d)} for d in shape]}
        self.nodes.append({"name": name, "op": "Placeholder",
                           "attr": {"dtype": {"type": dtype}, "shape": {"shape": dims}}})
        self.inputs[name] = {"name": name, "dtype": dtype, "tensorShape": dims}
        return name

    def op(self, name: str, op: str, inputs: list[str], **attr: Any) -> str:
        """Add an op node with raw TFJS attributes; return its name."""
        self.nodes.append({"name": name, "op": op, "input": inputs, "attr": attr})
        return name

    def write(self, folder: Path, outputs: list[str], stem: str = "model") -> Path:
        """Write ``<stem>.json`` and ``<stem>.bin`` into ``folder``; return the json path."""
        sig_out = {o: {"name": o if ":" in o else f"{o}:0"} for o in outputs}
        doc = {"format": "graph-model", "modelTopology": {"node": self.nodes},
               "signature": {"inputs": self.inputs, "outputs": sig_out},
               "weightsManifest": [{"paths": [f"{stem}.bin"], "weights": self.specs}]}
        (folder / f"{stem}.bin").write_bytes(b"".join(self.blobs))
        path = folder / f"{stem}.json"
        path.write_text(json.dumps(doc))
        return path
