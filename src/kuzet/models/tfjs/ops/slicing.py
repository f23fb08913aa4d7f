"""Indexing ops: StridedSlice, Slice, GatherV2, GatherNd, SparseToDense."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kuzet.core.errors import ModelError
from kuzet.models.tfjs.graph import Builder, Tensor, TfNode
from kuzet.models.tfjs.ops.base import Converter, const_int, need_const, norm_axis

_BIG = np.iinfo(np.int64).max
_SMALL = np.iinfo(np.int64).min


@dataclass
class _SlicePlan:
    """ONNX Slice arguments plus the Squeeze/Unsqueeze a TF StridedSlice needs."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    axes: list[int] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    shrink: list[int] = field(default_factory=list)
    new_axes: list[int] = field(default_factory=list)
    out_rank_delta: int = 0


def _plan(node: TfNode, begin: np.ndarray, end: np.ndarray, strides: np.ndarray,
          rank: int | None) -> _SlicePlan:
    """Walk the TF slice spec (masks included) and build the ONNX plan."""
    kinds = ("begin", "end", "ellipsis", "new_axis", "shrink_axis")
    masks = {k: node.i(f"{k}_mask") for k in kinds}
    spec = len(begin)
    plan = _SlicePlan()
    dim = out = 0
    for i in range(spec):
        bit = 1 << i
        if masks["ellipsis"] & bit:
            if rank is None:
                raise ModelError(f"node {node.name!r}: ellipsis_mask needs a known rank")
            later = sum(1 for j in range(i + 1, spec) if not masks["new_axis"] & (1 << j))
            covered = rank - dim - later
            dim, out = dim + covered, out + covered
            continue
        if masks["new_axis"] & bit:
            plan.new_axes.append(out)
            out += 1
            continue
        step = int(strides[i])
        lo, hi = int(begin[i]), int(end[i])
        if masks["shrink_axis"] & bit:
            hi = lo + 1 if lo != -1 else _BIG
            step = 1
            plan.shrink.append(dim)
        else:
            if masks["begin"] & bit:
                lo = 0 if step > 0 else _BIG
            if masks["end"] & bit:
                hi = _BIG if step > 0 else _SMALL
            out += 1
        plan.starts.append(lo)
        plan.ends.append(hi)
        plan.axes.append(dim)
        plan.steps.append(step)
        dim += 1
    plan.out_rank_delta = len(plan.new_axes) - len(plan.shrink)
    return plan


def _strided_slice(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    begin, end, strides = (need_const(node, t, "slice bounds").reshape(-1) for t in ins[1:4])
    plan = _plan(node, begin, end, strides, x.rank)
    y = b.value(x)
    keep = [k for k in range(len(plan.axes))
            if not (plan.starts[k] == 0 and plan.ends[k] == _BIG and plan.steps[k] == 1)]
    if keep:
        def arg(values: list[int]) -> str:
            return b.const(np.array([values[k] for k in keep], np.int64))
        y = b.one("Slice", [y, arg(plan.starts), arg(plan.ends), arg(plan.axes), arg(plan.steps)])
    if plan.shrink:
        y = b.one("Squeeze", [y, b.const(np.array(plan.shrink, np.int64))])
    if plan.new_axes:
        y = b.one("Unsqueeze", [y, b.const(np.array(plan.new_axes, np.int64))])
    if y == x.name:
        y = b.one("Identity", [y])
    rank = None if x.rank is None else x.rank + plan.out_rank_delta
    return [Tensor(y, x.dtype, rank)]


def _slice(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    begin = b.int64(ins[1])
    size = b.int64(ins[2])
    # TF size -1 means "to the end": map it to INT64_MAX.
    minus = b.one("Less", [size, b.const(np.zeros(1, np.int64))])
    end = b.one("Where", [minus, b.const(np.array([_BIG], np.int64)), b.one("Add", [begin, size])])
    return [Tensor(b.one("Slice", [b.value(x), begin, end]), x.dtype, x.rank)]


def _gather(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x, idx = ins[0], ins[1]
    axis = norm_axis(node, const_int(node, ins[2], "axis") if len(ins) > 2 else 0, x.rank)
    if node.i("batch_dims", 0):
        raise ModelError(f"node {node.name!r}: GatherV2 batch_dims is not supported")
    y = b.one("Gather", [b.value(x), b.int64(idx)], axis=axis)
    rank = None if x.rank is None or idx.rank is None else x.rank - 1 + idx.rank
    return [Tensor(y, x.dtype, rank)]


def _gather_nd(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x, idx = ins
    y = b.one("GatherND", [b.value(x), b.int64(idx)])
    return [Tensor(y, x.dtype, None)]


def _sparse_to_dense(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    indices, shape, values, default = ins
    rank = int(shape.const.size) if shape.const is not None else None
    dense = b.one("Expand", [b.value(default), b.int64(shape)])
    idx = b.int64(indices)
    if indices.rank is not None and indices.rank < 2:
        idx = b.one("Reshape", [idx, b.const(np.array([-1, 1], np.int64))])
    count = b.one("Shape", [idx], start=0, end=1)
    vals = b.one("Expand", [b.value(values), count])
    return [Tensor(b.one("ScatterND", [dense, idx, vals]), values.dtype, rank)]


def sparse_to_dense_np(indices: np.ndarray, shape: np.ndarray, values: np.ndarray,
                       default: np.ndarray) -> np.ndarray:
    """Numpy SparseToDense, used to fold constant subgraphs."""
    out = np.full(tuple(int(s) for s in shape.reshape(-1)), default, dtype=values.dtype)
    if indices.size == 0:
        return out
    idx = indices.reshape(len(indices), -1) if indices.ndim > 0 else indices.reshape(1, 1)
    vals = np.broadcast_to(values, (len(idx),))
    for row, v in zip(idx, vals, strict=True):
        out[tuple(int(i) for i in row)] = v
    return out


SLICING: dict[str, Converter] = {
    "StridedSlice": _strided_slice, "Slice": _slice, "GatherV2": _gather, "Gather": _gather,
    "GatherNd": _gather_nd, "SparseToDense": _sparse_to_dense,
}

__all__ = ["SLICING", "sparse_to_dense_np"]
