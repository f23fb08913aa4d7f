"""Shared helpers for op converters."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from onnx import TensorProto

from kuzet.core.errors import ModelError
from kuzet.models.tfjs.graph import Builder, Perm, Tensor, TfNode

Converter = Callable[[Builder, TfNode, list[Tensor]], list[Tensor]]

ONNX_TO_NUMPY: dict[int, type] = {
    TensorProto.FLOAT: np.float32,
    TensorProto.FLOAT16: np.float16,
    TensorProto.DOUBLE: np.float64,
    TensorProto.INT32: np.int32,
    TensorProto.INT64: np.int64,
    TensorProto.INT8: np.int8,
    TensorProto.UINT8: np.uint8,
    TensorProto.INT16: np.int16,
    TensorProto.BOOL: np.bool_,
}


def need_const(node: TfNode, t: Tensor, what: str) -> np.ndarray:
    """The constant value of ``t`` or a ModelError naming the node."""
    if t.const is None:
        raise ModelError(f"node {node.name!r} ({node.op}): {what} must be a constant")
    return t.const


def const_int(node: TfNode, t: Tensor, what: str) -> int:
    """A constant scalar (or one-element) integer input such as an axis."""
    value = need_const(node, t, what).reshape(-1)
    if value.size != 1:
        raise ModelError(f"node {node.name!r} ({node.op}): {what} must be a scalar")
    return int(value[0])


def scalar(b: Builder, value: float, dtype: int) -> str:
    """A scalar initializer of ONNX element type ``dtype``."""
    return b.const(np.array(value, dtype=ONNX_TO_NUMPY.get(dtype, np.float32)))


def common_layout(b: Builder, ins: list[Tensor]) -> tuple[list[str], Perm | None, int | None]:
    """Bring elementwise operands to one layout without leaving NCHW if possible.

    Returns:
        The ONNX names, the shared perm (``None`` = TF layout) and the output rank.
    """
    ranks = [t.rank for t in ins]
    rank = None if None in ranks else max(r for r in ranks if r is not None)
    live = [t for t in ins if t.const is None]
    perm = next((t.perm for t in live if t.perm is not None), None)
    usable = perm is not None and all(t.rank == len(perm) for t in live)
    usable = usable and all(t.const is None or t.const.ndim <= len(perm or ()) for t in ins)
    if not usable or perm is None:
        return [b.value(t) for t in ins], None, rank
    names = []
    for t in ins:
        if t.const is not None:
            pad = (1,) * (len(perm) - t.const.ndim)
            names.append(b.const(np.transpose(t.const.reshape(pad + t.const.shape), perm)))
        else:
            names.append(b.in_perm(t, perm))
    return names, perm, len(perm)


def norm_axis(node: TfNode, axis: int, rank: int | None) -> int:
    """Make a possibly negative axis non-negative (needs the rank if negative)."""
    if axis >= 0:
        return axis
    if rank is None:
        raise ModelError(f"node {node.name!r} ({node.op}): negative axis with unknown rank")
    return axis + rank
