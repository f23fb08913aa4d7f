"""Reductions, arg-reductions and TopK.

Reduction axes are remapped into the operand's current layout, so a Mean over
H,W of an NCHW-held activation needs no Transpose.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from onnx import TensorProto

from kuzet.models.tfjs.graph import Builder, Tensor, TfNode
from kuzet.models.tfjs.layout import axis_in
from kuzet.models.tfjs.ops.base import Converter, const_int, need_const, norm_axis

# ONNX opset from which the reduction takes its axes as an input, not an attribute.
_AXES_AS_INPUT = {"ReduceSum": 13}
_AXES_AS_INPUT_18 = 18


def reduce(b: Builder, op: str, name: str, axes: list[int], keepdims: bool) -> str:
    """Emit an ONNX Reduce* with ``axes`` in the form ``b.opset`` expects."""
    if b.opset >= _AXES_AS_INPUT.get(op, _AXES_AS_INPUT_18):
        return b.one(op, [name, b.const(np.array(axes, np.int64))], keepdims=int(keepdims))
    return b.one(op, [name], axes=axes, keepdims=int(keepdims))


def _reduce(op: str, b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    raw = np.atleast_1d(need_const(node, ins[1], "reduction axes")).tolist()
    keep = node.b("keep_dims")
    if not raw:
        return [x]
    axes = sorted({norm_axis(node, int(a), x.rank) for a in raw})
    if x.perm is None:
        src, onnx_axes, perm = b.value(x), axes, None
    else:
        src, onnx_axes = x.name, sorted(axis_in(x.perm, a) for a in axes)
        perm = x.perm if keep else _drop_axes(x.perm, axes)
    cast = op in ("ReduceMin", "ReduceMax") and x.dtype == TensorProto.BOOL
    if cast:
        src = b.one("Cast", [src], to=TensorProto.INT32)
    y = reduce(b, op, src, onnx_axes, keep)
    if cast:
        y = b.one("Cast", [y], to=TensorProto.BOOL)
    rank = None if x.rank is None else (x.rank if keep else x.rank - len(axes))
    return [Tensor(y, x.dtype, rank, None if perm is not None and _is_id(perm) else perm)]


def _is_id(perm: tuple[int, ...]) -> bool:
    return perm == tuple(range(len(perm)))


def _drop_axes(perm: tuple[int, ...], axes: list[int]) -> tuple[int, ...]:
    """Layout perm of the result after reducing TF ``axes`` away (keep_dims=False)."""
    left = [p for p in perm if p not in axes]
    order = sorted(left)
    return tuple(order.index(p) for p in left)


def _arg(op: str, b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    axis = norm_axis(node, const_int(node, ins[1], "dimension"), x.rank)
    y = b.one(op, [b.value(x)], axis=axis, keepdims=0)
    to = node.dtype("output_type") if "output_type" in node.attr else TensorProto.INT64
    if to != TensorProto.INT64:
        y = b.one("Cast", [y], to=to)
    return [Tensor(y, to, None if x.rank is None else x.rank - 1)]


def _topk(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    k = b.one("Reshape", [b.int64(ins[1]), b.const(np.array([1], np.int64))])
    values, indices = b.node("TopK", [b.value(x), k], 2, axis=-1, largest=1,
                             sorted=int(node.b("sorted", True)))
    indices = b.one("Cast", [indices], to=TensorProto.INT32)
    return [Tensor(values, x.dtype, x.rank), Tensor(indices, TensorProto.INT32, x.rank)]


REDUCE: dict[str, Converter] = {
    "Mean": partial(_reduce, "ReduceMean"),
    "Sum": partial(_reduce, "ReduceSum"),
    "Max": partial(_reduce, "ReduceMax"),
    "Min": partial(_reduce, "ReduceMin"),
    "Prod": partial(_reduce, "ReduceProd"),
    "All": partial(_reduce, "ReduceMin"),
    "Any": partial(_reduce, "ReduceMax"),
    "ArgMax": partial(_arg, "ArgMax"),
    "ArgMin": partial(_arg, "ArgMin"),
    "TopKV2": _topk,
}
