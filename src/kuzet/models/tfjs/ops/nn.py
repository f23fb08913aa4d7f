"""Convolution, pooling, matmul, resize and softmax.

NHWC convolutions are emitted as ONNX (NCHW) Conv on the NCHW view of their
input; filters are re-laid out at conversion time, and the result stays NCHW
(``perm = NHWC_TO_NCHW``) so the next layout-agnostic ops need no Transpose.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from kuzet.core.errors import ModelError, UnsupportedOpError
from kuzet.models.tfjs.graph import Builder, Tensor, TfNode
from kuzet.models.tfjs.layout import NHWC_TO_NCHW, axis_in
from kuzet.models.tfjs.ops.base import Converter, need_const, scalar


def _spatial(node: TfNode, key: str, nhwc: bool) -> list[int]:
    values = node.ints(key) or [1, 1, 1, 1]
    return values[1:3] if nhwc else values[2:4]


def _padding(node: TfNode, nhwc: bool) -> dict[str, Any]:
    mode = node.s("padding", "VALID")
    if mode == "SAME":
        return {"auto_pad": "SAME_UPPER"}  # TF SAME puts the odd pixel bottom/right
    if mode == "EXPLICIT":
        ep = node.ints("explicit_paddings")
        h, w = (2, 4) if nhwc else (4, 6)
        return {"pads": [ep[h], ep[w], ep[h + 1], ep[w + 1]]}
    return {"pads": [0, 0, 0, 0]}


def _input(b: Builder, x: Tensor, nhwc: bool) -> str:
    return b.in_perm(x, NHWC_TO_NCHW) if nhwc else b.value(x)


def activation(b: Builder, y: str, ops: list[str], node: TfNode, extra: list[Tensor]) -> str:
    """Apply fused activations (after BiasAdd/FusedBatchNorm) to ``y`` (channel axis 1)."""
    for op in ops:
        if op == "Relu":
            y = b.one("Relu", [y])
        elif op == "Relu6":
            y = b.one("Clip", [y, scalar(b, 0.0, 1), scalar(b, 6.0, 1)])
        elif op == "Elu":
            y = b.one("Elu", [y])
        elif op == "Sigmoid":
            y = b.one("Sigmoid", [y])
        elif op == "Tanh":
            y = b.one("Tanh", [y])
        elif op == "LeakyRelu":
            y = b.one("LeakyRelu", [y], alpha=node.f("leakyrelu_alpha", 0.2))
        elif op == "Prelu":
            alpha = need_const(node, extra[-1], "Prelu alpha").astype(np.float32)
            y = b.one("PRelu", [y, b.const(alpha.reshape(-1, *([1] * (alpha.ndim + 1))))])
        else:
            raise UnsupportedOpError(f"{node.op}[{op}]", node.name)
    return y


def _fold_bias(node: TfNode, w: np.ndarray, ins: list[Tensor]) -> tuple[np.ndarray, Any, list[str]]:
    """Split ``fused_ops`` into a bias (BatchNorm folded into ``w``) and activations."""
    fused = node.strs("fused_ops")
    args = ins[2:]
    bias = None
    if fused and fused[0] == "BiasAdd":
        bias = need_const(node, args[0], "bias").astype(np.float32)
        fused = fused[1:]
    elif fused and fused[0] == "FusedBatchNorm":
        scale, offset, mean, var = (need_const(node, a, "batch norm") for a in args[:4])
        k = scale / np.sqrt(var + node.f("epsilon", 1e-3))
        w = w * k.reshape(-1, 1, 1, 1)
        bias = (offset - mean * k).astype(np.float32)
        fused = fused[1:]
    return w.astype(np.float32), bias, fused


def _conv(depthwise: bool, b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    nhwc = node.s("data_format", "NHWC") == "NHWC"
    kernel = need_const(node, ins[1], "filter")
    kh, kw, cin, cout = kernel.shape
    if depthwise:
        w = kernel.reshape(kh, kw, cin * cout).transpose(2, 0, 1)[:, None]
    else:
        w = kernel.transpose(3, 2, 0, 1)
    w, bias, acts = _fold_bias(node, w, ins)
    inputs = [_input(b, ins[0], nhwc), b.const(w)]
    if bias is not None:
        inputs.append(b.const(bias))
    y = b.one("Conv", inputs, kernel_shape=[kh, kw], strides=_spatial(node, "strides", nhwc),
              dilations=_spatial(node, "dilations", nhwc), group=cin if depthwise else 1,
              **_padding(node, nhwc))
    y = activation(b, y, acts, node, ins[2:])
    return [Tensor(y, ins[0].dtype, 4, NHWC_TO_NCHW if nhwc else None)]


def _pool(onnx_op: str, b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    nhwc = node.s("data_format", "NHWC") == "NHWC"
    y = b.one(onnx_op, [_input(b, ins[0], nhwc)], kernel_shape=_spatial(node, "ksize", nhwc),
              strides=_spatial(node, "strides", nhwc), **_padding(node, nhwc))
    return [Tensor(y, ins[0].dtype, 4, NHWC_TO_NCHW if nhwc else None)]


def _matmul(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    ta, tb = node.b("transpose_a"), node.b("transpose_b")
    fused = node.strs("fused_ops")
    inputs = [b.value(ins[0]), b.value(ins[1])]
    if fused and fused[0] == "BiasAdd":
        inputs.append(b.value(ins[2]))
        fused = fused[1:]
    y = b.one("Gemm", inputs, transA=int(ta), transB=int(tb))
    y = activation(b, y, fused, node, ins[2:])
    return [Tensor(y, ins[0].dtype, 2)]


def _batch_matmul(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    names = []
    for t, flag in ((ins[0], "adj_x"), (ins[1], "adj_y")):
        name = b.value(t)
        if node.b(flag):
            if t.rank is None:
                raise ModelError(f"node {node.name!r}: {flag} needs a known rank")
            perm = list(range(t.rank - 2)) + [t.rank - 1, t.rank - 2]
            name = b.one("Transpose", [name], perm=perm)
        names.append(name)
    rank = max(ins[0].rank or 2, ins[1].rank or 2)
    return [Tensor(b.one("MatMul", names), ins[0].dtype, rank)]


def _resize(mode: str, b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    size = b.int64(ins[1])
    if x.perm == NHWC_TO_NCHW:
        shape = b.one("Shape", [x.name], start=0, end=2)
        sizes = b.one("Concat", [shape, size], axis=0)
    else:
        name = b.value(x)
        head = b.one("Shape", [name], start=0, end=1)
        tail = b.one("Shape", [name], start=3, end=4)
        x = Tensor(name, x.dtype, 4)
        sizes = b.one("Concat", [head, size, tail], axis=0)
    if node.b("align_corners"):
        coord = "align_corners"
    elif node.b("half_pixel_centers"):
        coord = "half_pixel" if mode == "linear" else "tf_half_pixel_for_nn"
    else:
        coord = "asymmetric"
    extra = {"nearest_mode": "round_prefer_ceil" if coord == "align_corners" else "floor"}
    y = b.one("Resize", [x.name, "", "", sizes], mode=mode,
              coordinate_transformation_mode=coord, **(extra if mode == "nearest" else {}))
    return [Tensor(y, x.dtype, 4, x.perm)]


def _softmax(onnx_op: str, b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    x = ins[0]
    if x.rank is None:
        return [Tensor(b.one(onnx_op, [b.value(x)], axis=-1), x.dtype, None)]
    axis = axis_in(x.perm, x.rank - 1)
    return [b.out(b.one(onnx_op, [x.name or b.value(x)], axis=axis), x)]


NN: dict[str, Converter] = {
    "Conv2D": partial(_conv, False),
    "_FusedConv2D": partial(_conv, False),
    "DepthwiseConv2dNative": partial(_conv, True),
    "FusedDepthwiseConv2dNative": partial(_conv, True),
    "MaxPool": partial(_pool, "MaxPool"),
    "AvgPool": partial(_pool, "AveragePool"),
    "MatMul": _matmul,
    "_FusedMatMul": _matmul,
    "BatchMatMul": _batch_matmul,
    "BatchMatMulV2": _batch_matmul,
    "ResizeBilinear": partial(_resize, "linear"),
    "ResizeNearestNeighbor": partial(_resize, "nearest"),
    "Softmax": partial(_softmax, "Softmax"),
    "LogSoftmax": partial(_softmax, "LogSoftmax"),
}
