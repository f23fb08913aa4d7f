"""Shape-manipulating TF ops: reshape, (un)squeeze, concat/split, pack, pad ...

Axis-taking ops whose operands are held transposed (NCHW) remap the axis
instead of transposing back; ops with NHWC-specific semantics (Reshape,
Pack, Tile ...) take the operand in TF layout.
"""

from __future__ import annotations

import numpy as np
from onnx import TensorProto

from kuzet.core.errors import UnsupportedOpError
from kuzet.models.tfjs.graph import Builder, Tensor, TfNode
from kuzet.models.tfjs.layout import axis_in, compose, inverse, is_identity
from kuzet.models.tfjs.ops.base import Converter, const_int, need_const, norm_axis
from kuzet.models.tfjs.ops.slicing import SLICING

_INT_MAX = np.iinfo(np.int64).max


def _i64(values: list[int] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _reshape(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    shape = ins[1]
    rank = int(shape.const.size) if shape.const is not None else None
    y = b.one("Reshape", [b.value(ins[0]), b.int64(shape)])
    return [Tensor(y, ins[0].dtype, rank)]


def _squeeze(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    dims = node.ints("squeeze_dims") or node.ints("axis")
    if not dims:
        return [Tensor(b.one("Squeeze", [b.value(x)]), x.dtype, None)]
    axes = sorted(norm_axis(node, d, x.rank) for d in dims)
    y = b.one("Squeeze", [b.value(x), b.const(_i64(axes))])
    return [Tensor(y, x.dtype, None if x.rank is None else x.rank - len(axes))]


def _expand_dims(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    axis = const_int(node, ins[1], "axis")
    y = b.one("Unsqueeze", [b.value(x), b.const(_i64([axis]))])
    return [Tensor(y, x.dtype, None if x.rank is None else x.rank + 1)]


def _pack(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    rank = ins[0].rank
    axis = node.i("axis", 0)
    axis = axis if axis >= 0 else axis + (rank if rank is not None else 0) + 1
    axes = b.const(_i64([axis]))
    parts = [b.one("Unsqueeze", [b.value(t), axes]) for t in ins]
    y = b.one("Concat", parts, axis=axis) if len(parts) > 1 else parts[0]
    return [Tensor(y, ins[0].dtype, None if rank is None else rank + 1)]


def _unpack(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    axis = norm_axis(node, node.i("axis", 0), x.rank)
    num = node.i("num", 1)
    parts = b.node("Split", [b.value(x), b.const(_i64([1] * num))], num, axis=axis)
    axes = b.const(_i64([axis]))
    rank = None if x.rank is None else x.rank - 1
    return [Tensor(b.one("Squeeze", [p, axes]), x.dtype, rank) for p in parts]


def _concat(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    first = node.op == "Concat"
    data, axis_t = (ins[1:], ins[0]) if first else (ins[:-1], ins[-1])
    rank = next((t.rank for t in data if t.rank is not None), None)
    axis = norm_axis(node, const_int(node, axis_t, "axis"), rank)
    perm = next((t.perm for t in data if t.perm is not None), None)
    if perm is not None and all(t.rank == len(perm) for t in data):
        # Concatenate in the layout the (first) transposed operand already has.
        y = b.one("Concat", [b.in_perm(t, perm) for t in data], axis=axis_in(perm, axis))
        return [Tensor(y, data[0].dtype, rank, perm)]
    y = b.one("Concat", [b.value(t) for t in data], axis=axis)
    return [Tensor(y, data[0].dtype, rank)]


def _split_parts(b: Builder, x: Tensor, axis: int, sizes: list[int], n: int) -> list[Tensor]:
    """Split TF axis ``axis`` of ``x`` (kept in its layout) into ``sizes`` or ``n`` parts."""
    src = x.name if x.perm is not None else b.value(x)
    onnx_axis = axis_in(x.perm, axis)
    if not sizes:
        kw = {"num_outputs": n} if b.opset >= 18 else {}
        names = b.node("Split", [src], n, axis=onnx_axis, **kw)
    elif -1 not in sizes:
        names = b.node("Split", [src, b.const(_i64(sizes))], len(sizes), axis=onnx_axis)
    else:
        names = _slice_parts(b, src, onnx_axis, sizes)
    return [Tensor(name, x.dtype, x.rank, x.perm) for name in names]


def _slice_parts(b: Builder, src: str, axis: int, sizes: list[int]) -> list[str]:
    """Split with one ``-1`` size: slices before it count from the start, after it from the end."""
    hole = sizes.index(-1)
    names, start = [], 0
    for k, size in enumerate(sizes):
        if k < hole:
            lo, hi = start, start + size
            start = hi
        elif k == hole:
            lo, after = start, sum(sizes[k + 1 :])
            hi = -after if after else _INT_MAX
        else:
            lo = -sum(sizes[k:])
            hi = lo + size if lo + size < 0 else _INT_MAX
        names.append(b.one("Slice", [src, b.const(_i64([lo])), b.const(_i64([hi])),
                                     b.const(_i64([axis]))]))
    return names


def _split(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[1]
    axis = norm_axis(node, const_int(node, ins[0], "split_dim"), x.rank)
    return _split_parts(b, x, axis, [], node.i("num_split", 1))


def _split_v(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    sizes = [int(s) for s in need_const(node, ins[1], "size_splits").reshape(-1)]
    axis = norm_axis(node, const_int(node, ins[2], "split_dim"), x.rank)
    return _split_parts(b, x, axis, sizes, len(sizes))


def _shape(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    y = b.one("Shape", [x.name or b.value(x)])
    if x.perm is not None:
        y = b.one("Gather", [y, b.const(_i64(list(inverse(x.perm))))], axis=0)
    to = node.dtype("out_type") if "out_type" in node.attr else TensorProto.INT32
    return [Tensor(b.one("Cast", [y], to=to) if to != TensorProto.INT64 else y, to, 1)]


def _size(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    y = b.one("Size", [x.name or b.value(x)])
    to = node.dtype("out_type") if "out_type" in node.attr else TensorProto.INT32
    return [Tensor(b.one("Cast", [y], to=to) if to != TensorProto.INT64 else y, to, 0)]


def _fill(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    dims, value = ins
    rank = int(dims.const.size) if dims.const is not None else None
    y = b.one("Expand", [b.value(value), b.int64(dims)])
    return [Tensor(y, value.dtype, rank)]


def _tile(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    y = b.one("Tile", [b.value(ins[0]), b.int64(ins[1])])
    return [Tensor(y, ins[0].dtype, ins[0].rank)]


def _range(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    dtype = node.dtype("Tidx") if "Tidx" in node.attr else ins[0].dtype
    names = []
    for t in ins:
        name = b.value(t)
        if t.dtype != dtype:
            name = b.one("Cast", [name], to=dtype)
        if t.rank != 0:
            name = b.one("Reshape", [name, b.const(np.zeros(0, np.int64))])
        names.append(name)
    return [Tensor(b.one("Range", names), dtype, 1)]


def _transpose(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    perm = tuple(int(p) for p in need_const(node, ins[1], "perm").reshape(-1))
    if not b.optimise_layout:
        return [Tensor(b.one("Transpose", [b.value(x)], perm=list(perm)), x.dtype, len(perm))]
    # Free: the ONNX value stays as is, only the recorded layout changes.
    have = x.perm if x.perm is not None else tuple(range(len(perm)))
    new = compose(inverse(perm), have)
    name = x.name or b.value(x)
    return [Tensor(name, x.dtype, len(perm), None if is_identity(new) else new)]


def _pad(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    pads = need_const(node, ins[1], "paddings").astype(np.int64).reshape(-1, 2)
    src = x.name if x.perm is not None else b.value(x)
    if x.perm is not None:
        pads = pads[list(x.perm)]
    inputs = [src, b.const(np.concatenate([pads[:, 0], pads[:, 1]]))]
    mode = "constant"
    if node.op == "PadV2":
        inputs.append(b.value(ins[2]))
    elif node.op == "MirrorPad":
        if node.s("mode", "REFLECT") != "REFLECT":
            raise UnsupportedOpError(f"MirrorPad[{node.s('mode')}]", node.name)
        mode = "reflect"
    return [Tensor(b.one("Pad", inputs, mode=mode), x.dtype, x.rank, x.perm)]


SHAPE: dict[str, Converter] = {
    "Reshape": _reshape, "Squeeze": _squeeze, "ExpandDims": _expand_dims, "Pack": _pack,
    "Unpack": _unpack, "ConcatV2": _concat, "Concat": _concat, "Split": _split,
    "SplitV": _split_v, "Shape": _shape, "Size": _size, "Fill": _fill, "Tile": _tile,
    "Range": _range, "Transpose": _transpose, "Pad": _pad, "PadV2": _pad, "MirrorPad": _pad,
    **SLICING,
}
