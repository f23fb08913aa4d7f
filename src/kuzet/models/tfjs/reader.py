"""Read a TensorFlow.js graph model: ``model.json`` plus its ``.bin`` weight shards.

Weights are decoded into numpy arrays keyed by name.  TFJS stores them as one
byte stream per manifest group (the group's shards concatenated), each weight
following the previous one.  Quantised weights are dequantised here:

* ``quantization: {dtype: float16}`` -> float16 bits widened to float32;
* ``quantization: {dtype: uint8|uint16, scale, min}`` -> ``min + scale * q``;
* int32, bool and string tensors are read as stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kuzet.core.errors import ModelError

_PLAIN_DTYPES: dict[str, npt.DTypeLike] = {
    "float32": np.float32,
    "int32": np.int32,
    "bool": np.bool_,
    "float16": np.float16,
    "uint8": np.uint8,
    "int64": np.int64,
}
_QUANT_DTYPES: dict[str, npt.DTypeLike] = {
    "float16": np.float16,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "int8": np.int8,
}


@dataclass(frozen=True)
class SignatureTensor:
    """One entry of the model signature.

    Attributes:
        key: The signature key (the name the ONNX graph uses).
        tensor: The graph tensor it refers to, e.g. ``Identity:0``.
        dtype: TF dtype string, e.g. ``DT_FLOAT``.
        shape: Dimensions, ``-1`` where unknown (``None`` if unranked).
    """

    key: str
    tensor: str
    dtype: str
    shape: tuple[int, ...] | None


@dataclass(frozen=True)
class TfjsModel:
    """A parsed TFJS graph model.

    Attributes:
        path: The ``model.json`` it came from.
        nodes: The graph nodes as stored (dicts with name/op/input/attr).
        weights: Decoded weight arrays by name.
        inputs: Signature inputs (empty when the model has no signature).
        outputs: Signature outputs (empty when the model has no signature).
    """

    path: Path
    nodes: list[dict[str, Any]]
    weights: dict[str, np.ndarray]
    inputs: list[SignatureTensor] = field(default_factory=list)
    outputs: list[SignatureTensor] = field(default_factory=list)


def load_tfjs(model_json: Path) -> TfjsModel:
    """Parse ``model.json`` and decode every weight from its shards.

    Args:
        model_json: Path to the TFJS ``model.json`` (any file name).

    Returns:
        The parsed model.

    Raises:
        ModelError: The JSON is malformed, or a shard is missing or short.
    """
    model_json = Path(model_json)
    try:
        doc = json.loads(model_json.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{model_json}: cannot read TFJS model.json: {exc}") from exc
    if not isinstance(doc, dict):
        raise ModelError(f"{model_json}: model.json is not a JSON object")
    topology = doc.get("modelTopology")
    if not isinstance(topology, dict) or not isinstance(topology.get("node"), list):
        raise ModelError(f"{model_json}: no modelTopology.node list (not a graph model?)")
    manifest = doc.get("weightsManifest", [])
    if not isinstance(manifest, list):
        raise ModelError(f"{model_json}: weightsManifest is not a list")
    weights: dict[str, np.ndarray] = {}
    for group in manifest:
        weights.update(_read_group(model_json, group))
    signature = doc.get("signature") or topology.get("signature") or {}
    return TfjsModel(
        path=model_json,
        nodes=topology["node"],
        weights=weights,
        inputs=_signature(signature.get("inputs", {})),
        outputs=_signature(signature.get("outputs", {})),
    )


def _signature(entries: dict[str, Any]) -> list[SignatureTensor]:
    out = []
    for key, info in entries.items():
        dims = info.get("tensorShape", {}).get("dim")
        shape = None if dims is None else tuple(int(d.get("size", -1)) for d in dims)
        out.append(SignatureTensor(key, info.get("name", key), info.get("dtype", ""), shape))
    return out


def _read_group(model_json: Path, group: dict[str, Any]) -> dict[str, np.ndarray]:
    """Decode one manifest group (its shards form one byte stream)."""
    try:
        paths = list(group["paths"])
        specs = list(group["weights"])
    except (KeyError, TypeError) as exc:
        raise ModelError(f"{model_json}: malformed weightsManifest group: {exc}") from exc
    chunks = []
    for rel in paths:
        shard = model_json.parent / rel
        try:
            chunks.append(shard.read_bytes())
        except OSError as exc:
            raise ModelError(f"{model_json}: weight shard {shard} is missing: {exc}") from exc
    buffer = b"".join(chunks)
    offset = 0
    out: dict[str, np.ndarray] = {}
    for spec in specs:
        array, used = _decode(spec, buffer, offset, model_json)
        out[str(spec["name"])] = array
        offset += used
    if offset > len(buffer):
        raise ModelError(f"{model_json}: shards {paths} are shorter than the manifest says")
    return out


def _decode(
    spec: dict[str, Any], buffer: bytes, offset: int, model_json: Path
) -> tuple[np.ndarray, int]:
    """Decode one weight starting at ``offset``; return it and the bytes used."""
    try:
        name = spec["name"]
        shape = tuple(int(d) for d in spec.get("shape", []))
        dtype = str(spec["dtype"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{model_json}: malformed weight spec {spec!r}") from exc
    count = int(np.prod(shape, dtype=np.int64))
    if dtype == "string":
        return _decode_strings(buffer, offset, count, shape, model_json)
    quant = spec.get("quantization")
    stored = _QUANT_DTYPES.get(quant["dtype"]) if quant else _PLAIN_DTYPES.get(dtype)
    if stored is None:
        raise ModelError(f"{model_json}: weight {name!r} has unsupported dtype {dtype!r}/{quant}")
    nbytes = count * np.dtype(stored).itemsize
    if offset + nbytes > len(buffer):
        raise ModelError(f"{model_json}: weight shards end before weight {name!r}")
    raw = np.frombuffer(buffer, dtype=stored, count=count, offset=offset).reshape(shape)
    if quant and quant["dtype"] != "float16":
        scale = float(quant.get("scale", 1.0))
        low = float(quant.get("min", 0.0))
        target = np.int32 if dtype == "int32" else np.float32
        value = (raw.astype(np.float64) * scale + low).astype(target)
    else:
        value = raw.astype(_PLAIN_DTYPES.get(dtype, np.float32))
    return value, nbytes


def _decode_strings(
    buffer: bytes, offset: int, count: int, shape: tuple[int, ...], model_json: Path
) -> tuple[np.ndarray, int]:
    """TFJS strings: per element a little-endian uint32 length then the bytes."""
    start = offset
    items: list[bytes] = []
    for _ in range(count):
        if offset + 4 > len(buffer):
            raise ModelError(f"{model_json}: weight shards end inside a string tensor")
        size = int.from_bytes(buffer[offset : offset + 4], "little")
        items.append(buffer[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return np.array(items, dtype=object).reshape(shape), offset - start
