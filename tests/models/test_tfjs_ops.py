"""Op-level semantics of the TFJS converter, checked against numpy (table-driven).

Each case builds a tiny TFJS graph with :class:`TfjsWriter`, converts it with
and without layout optimisation, runs onnxruntime and compares every output
with the numpy expectation of TF's semantics.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from kuzet.models.tfjs import convert_tfjs
from kuzet.models.tfjs.writer import TfjsWriter, attr_ints, attr_s, attr_strs

RNG = np.random.default_rng(3)
Feeds = dict[str, np.ndarray]
Case = Callable[[TfjsWriter], tuple[Feeds, dict[str, np.ndarray]]]
F32 = {"type": "DT_FLOAT"}


def _i32(*values: int) -> np.ndarray:
    return np.array(values, np.int32)


def _slice_masks(w: TfjsWriter) -> tuple[Feeds, dict[str, np.ndarray]]:
    x = RNG.normal(size=(2, 5, 6, 3)).astype(np.float32)
    w.placeholder("x", list(x.shape), "DT_FLOAT")
    w.op("a", "StridedSlice", ["x", w.const("b0", _i32(0, 1, 0)), w.const("e0", _i32(0, 0, 0)),
                               w.const("s0", _i32(1, 1, -1))],
         ellipsis_mask={"i": "1"}, begin_mask={"i": "4"}, end_mask={"i": "6"})
    w.op("b", "StridedSlice", ["x", w.const("b1", _i32(0, 2, 0, 1)),
                               w.const("e1", _i32(0, 3, 0, 3)), w.const("s1", _i32(1, 1, 1, 1))],
         begin_mask={"i": "1"}, end_mask={"i": "1"}, shrink_axis_mask={"i": "2"},
         new_axis_mask={"i": "4"})
    return {"x": x}, {"a": x[..., 1:, ::-1], "b": x[:, 2, None, 1:3]}


def _split_topk_gather(w: TfjsWriter) -> tuple[Feeds, dict[str, np.ndarray]]:
    x = RNG.permutation(24).reshape(2, 12).astype(np.float32)
    w.placeholder("x", [2, 12], "DT_FLOAT")
    w.op("sp", "SplitV", ["x", w.const("sizes", _i32(2, -1, 3)), w.const("ax", _i32(1))],
         num_split={"i": "3"})
    w.op("tk", "TopKV2", ["x", w.const("k", _i32(4))], sorted={"b": True})
    idx = np.array([[1, 2], [0, 11]], np.int32)
    w.op("g", "GatherNd", ["x", w.const("idx", idx)])
    order = np.argsort(-x, axis=1, kind="stable")[:, :4]
    return {"x": x}, {"sp:0": x[:, :2], "sp:1": x[:, 2:9], "sp:2": x[:, 9:],
                      "tk:0": np.take_along_axis(x, order, 1), "tk:1": order.astype(np.int32),
                      "g": x[idx[:, 0], idx[:, 1]]}


def _integer_math(w: TfjsWriter) -> tuple[Feeds, dict[str, np.ndarray]]:
    x = _i32(-7, 7, -1, 0, 5)
    w.placeholder("x", [5], "DT_INT32")
    two = w.const("two", _i32(2))
    w.op("fd", "FloorDiv", ["x", two])
    w.op("fm", "FloorMod", ["x", two])
    w.op("sz", "Size", ["x"], out_type={"type": "DT_INT32"})
    w.op("rg", "Range", [w.const("r0", _i32(0)), "sz", w.const("r2", _i32(2))])
    w.op("sh", "Shape", ["x"], out_type={"type": "DT_INT32"})
    w.op("pk", "Pack", ["sz", "sz"], axis={"i": "0"})
    w.op("tl", "Tile", ["x", w.const("mult", _i32(2))])
    w.op("fl", "Fill", ["pk", w.const("one", np.array(1.5, np.float32))])
    return {"x": x}, {"fd": x // 2, "fm": x % 2, "sz": np.array(5, np.int32),
                      "rg": _i32(0, 2, 4), "sh": _i32(5), "pk": _i32(5, 5),
                      "tl": np.tile(x, 2), "fl": np.full((5, 5), 1.5, np.float32)}


def _nchw_layout(w: TfjsWriter) -> tuple[Feeds, dict[str, np.ndarray]]:
    """Axis-taking ops on a conv output (held NCHW) must keep NHWC semantics."""
    x = RNG.normal(size=(1, 4, 5, 3)).astype(np.float32)
    w.placeholder("x", list(x.shape), "DT_FLOAT")
    eye = np.eye(3, dtype=np.float32).reshape(1, 1, 3, 3)
    w.op("c", "Conv2D", ["x", w.const("eye", eye)], padding=attr_s("VALID"),
         strides=attr_ints([1, 1, 1, 1]), data_format=attr_s("NHWC"))
    pads = _i32(0, 0, 1, 2, 0, 1, 0, 0).reshape(4, 2)
    w.op("p", "Pad", ["c", w.const("pads", pads)])
    w.op("m", "Max", ["p", w.const("ax3", _i32(3))], keep_dims={"b": True})
    w.op("cat", "ConcatV2", ["p", "m", w.const("axis", _i32(-1))])
    w.op("s", "Sum", ["cat", w.const("ax12", _i32(1, 2))], keep_dims={"b": False})
    w.op("sm", "Softmax", ["cat"])
    padded = np.pad(x, pads)
    cat = np.concatenate([padded, padded.max(3, keepdims=True)], axis=-1)
    soft = np.exp(cat) / np.exp(cat).sum(-1, keepdims=True)
    return {"x": x}, {"cat": cat, "s": cat.sum((1, 2)), "sm": soft}


def _resize_ref(x: np.ndarray, oh: int, ow: int, mode: str) -> np.ndarray:
    def axis(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        o = np.arange(n_out, dtype=np.float64)
        pos = o * (n_in - 1) / (n_out - 1) if mode == "align" else (o + 0.5) * n_in / n_out - 0.5
        lo = np.floor(pos)
        return (np.clip(lo, 0, n_in - 1).astype(int), np.clip(np.ceil(pos), 0, n_in - 1)
                .astype(int), (pos - lo)[:, None])
    (hl, hh, hf), (wl, wh, wf) = axis(x.shape[1], oh), axis(x.shape[2], ow)
    rows = x[:, hl] * (1 - hf[..., None]) + x[:, hh] * hf[..., None]
    out: np.ndarray = (rows[:, :, wl] * (1 - wf) + rows[:, :, wh] * wf).astype(np.float32)
    return out


def _resize(w: TfjsWriter) -> tuple[Feeds, dict[str, np.ndarray]]:
    x = RNG.normal(size=(1, 4, 3, 2)).astype(np.float32)
    w.placeholder("x", list(x.shape), "DT_FLOAT")
    size = w.const("size", _i32(8, 7))
    w.op("half", "ResizeBilinear", ["x", size], half_pixel_centers={"b": True})
    w.op("align", "ResizeBilinear", ["x", size], align_corners={"b": True})
    return {"x": x}, {"half": _resize_ref(x, 8, 7, "half"), "align": _resize_ref(x, 8, 7, "align")}


def _misc(w: TfjsWriter) -> tuple[Feeds, dict[str, np.ndarray]]:
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    w.placeholder("x", [3, 4], "DT_FLOAT")
    kernel, bias = RNG.normal(size=(4, 5)).astype(np.float32), np.ones(5, np.float32)
    w.op("mm", "_FusedMatMul", ["x", w.const("k", kernel), w.const("bias", bias)],
         fused_ops=attr_strs(["BiasAdd", "Relu6"]), num_args={"i": "1"})
    w.op("cond", "Greater", [w.op("col", "Squeeze", [w.op("x0", "StridedSlice", [
        "x", w.const("sb", _i32(0, 0)), w.const("se", _i32(0, 1)), w.const("ss", _i32(1, 1))],
        begin_mask={"i": "1"}, end_mask={"i": "1"})], squeeze_dims=attr_ints([1])),
        w.const("zero", np.array(0.0, np.float32))])
    w.op("sel", "Select", ["cond", "x", w.op("neg", "Neg", ["x"])])
    w.op("am", "ArgMax", ["x", w.const("d1", _i32(1))], output_type={"type": "DT_INT32"})
    w.op("sq", "SquaredDifference", ["x", w.op("t", "Tanh", ["x"])])
    w.op("an", "AddN", ["x", "sq", "sel"])
    un = w.op("un", "Unpack", ["x"], num={"i": "3"}, axis={"i": "0"})
    w.op("ed", "ExpandDims", [f"{un}:2", w.const("e", _i32(-1))])
    sel = np.where(x[:, :1] > 0, x, -x)
    sq = (x - np.tanh(x)) ** 2
    return {"x": x}, {"mm": np.clip(x @ kernel + 1, 0, 6), "sel": sel,
                      "am": x.argmax(1).astype(np.int32), "an": x + sq + sel, "ed": x[2][:, None]}


def _norm_clip(w: TfjsWriter) -> tuple[Feeds, dict[str, np.ndarray]]:
    x = RNG.normal(size=(1, 3, 4, 2)).astype(np.float32)
    w.placeholder("x", list(x.shape), "DT_FLOAT")
    stats = [RNG.uniform(0.5, 2, 2).astype(np.float32) for _ in range(4)]
    names = [w.const(f"bn{k}", v) for k, v in enumerate(stats)]
    w.op("c", "Conv2D", ["x", w.const("eye", np.eye(2, dtype=np.float32).reshape(1, 1, 2, 2))],
         padding=attr_s("VALID"), strides=attr_ints([1, 1, 1, 1]))
    w.op("bn", "FusedBatchNormV3", ["c", *names], epsilon={"f": 0.001})
    w.op("cl", "ClipByValue", ["bn", w.const("lo", np.array(-0.5, np.float32)),
                               w.const("hi", np.array(0.5, np.float32))])
    w.op("cat", "ConcatV2", ["cl", w.const("k", np.ones((1, 3, 4, 1), np.float32)),
                             w.const("axis", _i32(3))])
    w.op("z", "OnesLike", ["cat"])
    scale, offset, mean, var = stats
    bn = (x - mean) * scale / np.sqrt(var + 0.001) + offset
    cat = np.concatenate([np.clip(bn, -0.5, 0.5), np.ones((1, 3, 4, 1))], axis=3)
    return {"x": x}, {"cat": cat.astype(np.float32), "z": np.ones_like(cat, np.float32)}


CASES: dict[str, Case] = {
    "norm_clip": _norm_clip, "slice_masks": _slice_masks, "split_topk_gather": _split_topk_gather,
    "integer_math": _integer_math, "nchw_layout": _nchw_layout, "resize": _resize, "misc": _misc,
}


@pytest.mark.parametrize("optimise", [True, False])
@pytest.mark.parametrize("case", sorted(CASES))
def test_op_semantics(tmp_path: Path, case: str, optimise: bool) -> None:
    writer = TfjsWriter()
    feeds, expected = CASES[case](writer)
    model, _ = convert_tfjs(writer.write(tmp_path, list(expected)), optimise_layout=optimise)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    got = dict(zip(names, session.run(None, feeds), strict=True))
    for name, want in expected.items():
        assert got[name].dtype == want.dtype, name
        np.testing.assert_allclose(got[name], want, rtol=1e-5, atol=1e-5, err_msg=name)
