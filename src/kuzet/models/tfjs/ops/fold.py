"""Constant folding: TF ops whose inputs are all constants are evaluated in numpy.

This keeps shape arithmetic (and e.g. SparseToDense on constants) out of the
ONNX graph and lets later ops read the values as attributes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kuzet.models.tfjs.graph import TfNode
from kuzet.models.tfjs.ops.base import ONNX_TO_NUMPY
from kuzet.models.tfjs.ops.slicing import sparse_to_dense_np

Folder = Callable[[TfNode, list[np.ndarray]], list[np.ndarray]]

_BINARY: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "Add": np.add, "AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply,
    "Maximum": np.maximum, "Minimum": np.minimum, "FloorDiv": np.floor_divide,
    "FloorMod": np.mod, "Less": np.less, "Greater": np.greater, "Equal": np.equal,
    "LessEqual": np.less_equal, "GreaterEqual": np.greater_equal, "NotEqual": np.not_equal,
    "LogicalAnd": np.logical_and, "LogicalOr": np.logical_or,
}
_UNARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "Neg": np.negative, "Abs": np.abs, "Identity": lambda a: a, "StopGradient": lambda a: a,
}


def _binary(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Folder:
    def run(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
        out = np.asarray(fn(v[0], v[1]))
        return [out if out.dtype == np.bool_ else out.astype(v[0].dtype)]
    return run


def _unary(fn: Callable[[np.ndarray], np.ndarray]) -> Folder:
    return lambda node, v: [np.asarray(fn(v[0]))]


def _real_div(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [np.asarray(v[0] / v[1]).astype(v[0].dtype)]


def _cast(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [v[0].astype(ONNX_TO_NUMPY[node.dtype("DstT")])]


def _pack(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [np.stack(v, axis=node.i("axis", 0))]


def _concat(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [np.concatenate(v[:-1], axis=int(v[-1].reshape(-1)[0]))]


def _reshape(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [v[0].reshape([int(s) for s in v[1].reshape(-1)])]


def _expand_dims(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [np.expand_dims(v[0], int(v[1].reshape(-1)[0]))]


def _squeeze(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    dims = node.ints("squeeze_dims")
    return [np.squeeze(v[0], axis=tuple(dims)) if dims else np.squeeze(v[0])]


def _fill(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [np.full([int(s) for s in v[0].reshape(-1)], v[1], dtype=v[1].dtype)]


def _range(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [np.arange(v[0].item(), v[1].item(), v[2].item()).astype(v[0].dtype)]


def _transpose(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [np.transpose(v[0], [int(p) for p in v[1].reshape(-1)])]


def _sparse_to_dense(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [sparse_to_dense_np(v[0], v[1], v[2], v[3])]


def _tile(node: TfNode, v: list[np.ndarray]) -> list[np.ndarray]:
    return [np.tile(v[0], [int(m) for m in v[1].reshape(-1)])]


FOLDERS: dict[str, Folder] = {
    **{op: _binary(fn) for op, fn in _BINARY.items()},
    **{op: _unary(fn) for op, fn in _UNARY.items()},
    "RealDiv": _real_div, "Cast": _cast, "Pack": _pack, "ConcatV2": _concat,
    "Reshape": _reshape, "ExpandDims": _expand_dims, "Squeeze": _squeeze, "Fill": _fill,
    "Range": _range, "Transpose": _transpose, "SparseToDense": _sparse_to_dense, "Tile": _tile,
}
