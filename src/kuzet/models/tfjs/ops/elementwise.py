"""Elementwise TF ops (unary, binary, variadic); all keep the operands' layout."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
from onnx import TensorProto

from kuzet.models.tfjs.graph import Builder, Tensor, TfNode
from kuzet.models.tfjs.ops.base import ONNX_TO_NUMPY, Converter, common_layout, need_const, scalar

_UNARY: dict[str, str] = {
    "Relu": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Exp": "Exp", "Log": "Log",
    "Abs": "Abs", "Neg": "Neg", "Floor": "Floor", "Ceil": "Ceil", "Sqrt": "Sqrt",
    "Reciprocal": "Reciprocal", "Inv": "Reciprocal", "Round": "Round", "Sign": "Sign",
    "Softplus": "Softplus", "Elu": "Elu", "Selu": "Selu", "Erf": "Erf", "Sin": "Sin",
    "Cos": "Cos", "LogicalNot": "Not", "Softsign": "Softsign",
}
_BINARY: dict[str, str] = {
    "Add": "Add", "AddV2": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div", "Div": "Div",
    "Maximum": "Max", "Minimum": "Min", "Pow": "Pow", "LogicalAnd": "And", "LogicalOr": "Or",
    "Less": "Less", "Greater": "Greater", "LessEqual": "LessOrEqual",
    "GreaterEqual": "GreaterOrEqual", "Equal": "Equal",
}
_COMPARE = {"Less", "Greater", "LessEqual", "GreaterEqual", "Equal", "NotEqual"}
_FLOATS = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE}


def _unary(onnx_op: str, b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    name = b.one(onnx_op, [x.name if x.const is None else b.value(x)])
    return [b.out(name, x, perm=x.perm if x.const is None else None)]


def _alias(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    return [ins[0]]


def _apply(b: Builder, ins: list[Tensor], op: str, dtype: int | None = None, **kw: Any) -> Tensor:
    names, perm, rank = common_layout(b, ins)
    name = b.one(op, names, **kw)
    return Tensor(name, ins[0].dtype if dtype is None else dtype, rank, perm)


def _binary(onnx_op: str, b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    dtype = TensorProto.BOOL if node.op in _COMPARE else None
    return [_apply(b, ins, onnx_op, dtype)]


def _not_equal(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    eq = _apply(b, ins, "Equal", TensorProto.BOOL)
    return [b.out(b.one("Not", [eq.name]), eq)]


def _squared_difference(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    diff = _apply(b, ins, "Sub")
    return [b.out(b.one("Mul", [diff.name, diff.name]), diff)]


def _floor_div(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    names, perm, rank = common_layout(b, ins)
    if ins[0].dtype in _FLOATS:
        name = b.one("Floor", [b.one("Div", names)])
    else:
        # Integer floor division: Mod(fmod=0) has the divisor's sign, so a - mod is exact.
        rem = b.one("Mod", names, fmod=0)
        name = b.one("Div", [b.one("Sub", [names[0], rem]), names[1]])
    return [Tensor(name, ins[0].dtype, rank, perm)]


def _floor_mod(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    names, perm, rank = common_layout(b, ins)
    if ins[0].dtype in _FLOATS:
        quot = b.one("Floor", [b.one("Div", names)])
        name = b.one("Sub", [names[0], b.one("Mul", [quot, names[1]])])
    else:
        name = b.one("Mod", names, fmod=0)
    return [Tensor(name, ins[0].dtype, rank, perm)]


def _add_n(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    return [_apply(b, ins, "Sum")] if len(ins) > 1 else [ins[0]]


def _select(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    cond, x = ins[0], ins[1]
    if node.op == "Select" and cond.rank == 1 and x.rank is not None and x.rank > 1:
        # TF1 Select with a vector condition picks whole rows.
        axes = b.const(np.arange(1, x.rank, dtype=np.int64))
        unsq = b.one("Unsqueeze", [b.value(cond), axes])
        cond = Tensor(unsq, TensorProto.BOOL, x.rank)
    return [_apply(b, [cond, x, ins[2]], "Where", x.dtype)]


def _leaky_relu(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    name = b.one("LeakyRelu", [b.value(x) if x.const is not None else x.name],
                 alpha=node.f("alpha", 0.2))
    return [b.out(name, x)]


def _relu6(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    lo, hi = scalar(b, 0.0, x.dtype), scalar(b, 6.0, x.dtype)
    return [b.out(b.one("Clip", [b.value(x) if x.const is not None else x.name, lo, hi]), x)]


def _rsqrt(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    return [b.out(b.one("Reciprocal", [b.one("Sqrt", [x.name or b.value(x)])]), x)]


def _square(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    name = x.name or b.value(x)
    return [b.out(b.one("Mul", [name, name]), x)]


def _cast(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x, to = ins[0], node.dtype("DstT")
    if x.dtype == to:
        return [x]
    return [b.out(b.one("Cast", [x.name or b.value(x)], to=to), x, dtype=to)]


def _clip(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x, low, high = ins
    if low.rank == 0 and high.rank == 0:
        src = x.name or b.value(x)
        return [b.out(b.one("Clip", [src, b.value(low), b.value(high)]), x)]
    lower = _apply(b, [x, low], "Max")
    return [_apply(b, [lower, high], "Min")]


def _fill_like(value: float, b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    src = x.name or b.value(x)
    const = b.const(np.array(value, ONNX_TO_NUMPY.get(x.dtype, np.float32)))
    return [b.out(b.one("Expand", [const, b.one("Shape", [src])]), x)]


def _batch_norm(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    """Inference-mode FusedBatchNorm folded into one Mul and one Add per channel."""
    x = ins[0]
    scale, offset, mean, var = (need_const(node, t, "batch norm input") for t in ins[1:5])
    k = (scale / np.sqrt(var + node.f("epsilon", 1e-3))).astype(np.float32)
    shift = (offset - mean * k).astype(np.float32)
    if node.s("data_format", "NHWC") == "NCHW":
        k, shift = k.reshape(-1, 1, 1), shift.reshape(-1, 1, 1)
    scaled = _apply(b, [x, Tensor("", x.dtype, k.ndim, const=k)], "Mul")
    return [_apply(b, [scaled, Tensor("", x.dtype, shift.ndim, const=shift)], "Add")]


def _prelu(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    return [_apply(b, ins, "PRelu")]


ELEMENTWISE: dict[str, Converter] = {
    **{op: partial(_unary, onnx_op) for op, onnx_op in _UNARY.items()},
    **{op: partial(_binary, onnx_op) for op, onnx_op in _BINARY.items()},
    "BiasAdd": partial(_binary, "Add"),
    "Identity": _alias, "StopGradient": _alias, "Snapshot": _alias,
    "NotEqual": _not_equal, "SquaredDifference": _squared_difference,
    "FloorDiv": _floor_div, "FloorMod": _floor_mod, "AddN": _add_n,
    "Select": _select, "SelectV2": _select, "LeakyRelu": _leaky_relu, "Relu6": _relu6,
    "Rsqrt": _rsqrt, "Square": _square, "Cast": _cast, "Prelu": _prelu,
    "ClipByValue": _clip, "ZerosLike": partial(_fill_like, 0.0),
    "OnesLike": partial(_fill_like, 1.0), "FusedBatchNorm": _batch_norm,
    "FusedBatchNormV3": _batch_norm,
}
