"""The ONNX graph under construction, and the TF node / tensor views ops work with.

Every TF tensor is represented by a :class:`Tensor`.  Its ONNX value may hold
the TF tensor *transposed* by ``perm`` (e.g. NHWC activations kept as NCHW):
ops that do not care about layout pass ``perm`` through, ops that do ask the
:class:`Builder` for the tensor in the layout they need, which inserts (and
caches) a Transpose only then.  Constants stay numpy arrays until an ONNX node
needs them as an input, so constants used as attributes never reach the graph.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from onnx import NodeProto, TensorProto, helper, numpy_helper

from kuzet.core.errors import ModelError
from kuzet.models.tfjs.layout import compose, identity, inverse, is_identity

TF_DTYPES: dict[str, int] = {
    "DT_FLOAT": TensorProto.FLOAT,
    "DT_HALF": TensorProto.FLOAT16,
    "DT_DOUBLE": TensorProto.DOUBLE,
    "DT_INT32": TensorProto.INT32,
    "DT_INT64": TensorProto.INT64,
    "DT_INT8": TensorProto.INT8,
    "DT_UINT8": TensorProto.UINT8,
    "DT_INT16": TensorProto.INT16,
    "DT_BOOL": TensorProto.BOOL,
    "DT_STRING": TensorProto.STRING,
}

Perm = tuple[int, ...]


@dataclass(frozen=True)
class Tensor:
    """A TF tensor as it exists in the ONNX graph.

    Attributes:
        name: ONNX value name ("" for a constant not yet emitted).
        dtype: ONNX element type (``TensorProto.FLOAT`` ...).
        rank: TF rank, ``None`` when unknown.
        perm: ONNX value == TF value transposed by ``perm`` (``None``: same layout).
        const: The value when known at conversion time.
    """

    name: str
    dtype: int
    rank: int | None
    perm: Perm | None = None
    const: np.ndarray | None = None


@dataclass(frozen=True)
class TfNode:
    """A TFJS graph node with typed attribute accessors."""

    name: str
    op: str
    inputs: list[str]
    attr: dict[str, Any] = field(default_factory=dict)

    def i(self, key: str, default: int = 0) -> int:
        """Integer attribute."""
        value = self.attr.get(key, {})
        return int(value["i"]) if "i" in value else default

    def f(self, key: str, default: float = 0.0) -> float:
        """Float attribute."""
        value = self.attr.get(key, {})
        return float(value["f"]) if "f" in value else default

    def b(self, key: str, default: bool = False) -> bool:
        """Boolean attribute."""
        value = self.attr.get(key, {})
        return bool(value["b"]) if "b" in value else default

    def s(self, key: str, default: str = "") -> str:
        """String attribute (stored base64 in TFJS JSON)."""
        value = self.attr.get(key, {})
        return base64.b64decode(value["s"]).decode() if "s" in value else default

    def ints(self, key: str) -> list[int]:
        """Integer-list attribute (empty when absent)."""
        return [int(v) for v in self.attr.get(key, {}).get("list", {}).get("i", [])]

    def strs(self, key: str) -> list[str]:
        """String-list attribute (empty when absent)."""
        items = self.attr.get(key, {}).get("list", {}).get("s", [])
        return [base64.b64decode(v).decode() for v in items]

    def dtype(self, key: str) -> int:
        """Type attribute as an ONNX element type."""
        name = self.attr.get(key, {}).get("type", "DT_FLOAT")
        if name not in TF_DTYPES:
            raise ModelError(f"node {self.name!r}: unsupported dtype {name} in attr {key}")
        return TF_DTYPES[name]


class Builder:
    """Accumulates ONNX nodes and initializers; owns the layout bookkeeping."""

    def __init__(self, opset: int, optimise_layout: bool) -> None:
        self.opset = opset
        self.optimise_layout = optimise_layout
        self.nodes: list[NodeProto] = []
        self.initializers: list[TensorProto] = []
        self._names: set[str] = set()
        self._layout_cache: dict[tuple[str, Perm], str] = {}
        # id() -> (array kept alive so the id is never reused, initializer name)
        self._const_cache: dict[int, tuple[np.ndarray, str]] = {}
        self.scope = "n"

    def fresh(self, hint: str) -> str:
        """A value/node name not used yet, derived from ``hint``."""
        name, k = hint, 0
        while name in self._names:
            k += 1
            name = f"{hint}__{k}"
        self._names.add(name)
        return name

    def reserve(self, name: str) -> None:
        """Mark a graph input/output name as taken."""
        self._names.add(name)

    def node(self, op: str, inputs: list[str], n_out: int = 1, **attrs: Any) -> list[str]:
        """Append an ONNX node; return its output names."""
        outs = [self.fresh(f"{self.scope}/{op}" + (f":{k}" if k else "")) for k in range(n_out)]
        self.nodes.append(
            helper.make_node(op, inputs, outs, name=self.fresh(f"{self.scope}/{op}_node"), **attrs)
        )
        return outs

    def one(self, op: str, inputs: list[str], **attrs: Any) -> str:
        """Append a single-output ONNX node; return its output name."""
        return self.node(op, inputs, 1, **attrs)[0]

    def const(self, value: np.ndarray | int | float, dtype: Any = None) -> str:
        """Emit (once per array object) an initializer; return its name."""
        array = np.asarray(value, dtype=dtype)
        key = id(value) if isinstance(value, np.ndarray) and dtype is None else -1
        if key in self._const_cache:
            return self._const_cache[key][1]
        name = self.fresh(f"{self.scope}/const")
        if array.dtype == object:
            items = array.ravel().tolist()
            tensor = helper.make_tensor(name, TensorProto.STRING, array.shape, items)
        else:
            tensor = numpy_helper.from_array(np.array(array, order="C"), name)
        self.initializers.append(tensor)
        if key != -1 and isinstance(value, np.ndarray):
            self._const_cache[key] = (value, name)
        return name

    def value(self, t: Tensor) -> str:
        """The ONNX value holding ``t`` in TF layout."""
        return self.in_perm(t, identity(len(t.perm)) if t.perm else ())

    def in_perm(self, t: Tensor, perm: Perm) -> str:
        """The ONNX value holding ``t`` transposed by ``perm`` (TF axes order)."""
        want = None if is_identity(perm) else perm
        if t.const is not None:
            array = t.const if want is None else np.transpose(t.const, want)
            return self.const(array) if want is not None else self.const(t.const)
        if t.perm == want or (t.perm is None and want is None):
            return t.name
        have = t.perm if t.perm is not None else identity(len(perm))
        # ONNX value == tf.transpose(have); we want tf.transpose(perm).
        step = compose(inverse(have), perm)
        key = (t.name, step)
        if key not in self._layout_cache:
            self._layout_cache[key] = self.one("Transpose", [t.name], perm=list(step))
        return self._layout_cache[key]

    def int64(self, t: Tensor) -> str:
        """``t`` (an index/shape tensor) as int64, as ONNX shape inputs require."""
        if t.const is not None:
            return self.const(t.const.astype(np.int64))
        name = self.value(t)
        if t.dtype == TensorProto.INT64:
            return name
        return self.one("Cast", [name], to=TensorProto.INT64)

    def out(self, name: str, like: Tensor, **changes: Any) -> Tensor:
        """A result tensor named ``name`` shaped like ``like`` with ``changes``."""
        return replace(like, name=name, const=None, **changes)
