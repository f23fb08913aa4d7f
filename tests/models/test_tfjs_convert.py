"""Self-contained tests of the TFJS -> ONNX converter.

The test writes its own small TFJS graph model (model.json + .bin with float16
and uint8-quantised weights), converts it and checks onnxruntime's results
against a numpy reference implementation of the same TF graph.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from kuzet.core.errors import ModelError, UnsupportedOpError
from kuzet.models.tfjs import ConversionReport, convert_tfjs
from kuzet.models.tfjs.writer import TfjsWriter, attr_ints, attr_s, attr_strs

RNG = np.random.default_rng(7)


def _conv_attr(padding: str, stride: int) -> dict[str, Any]:
    return {"padding": attr_s(padding), "strides": attr_ints([1, stride, stride, 1]),
            "dilations": attr_ints([1, 1, 1, 1]), "data_format": attr_s("NHWC"),
            "T": {"type": "DT_FLOAT"}}


def _conv_ref(x: np.ndarray, w: np.ndarray, stride: int, padding: str,
              depthwise: bool = False) -> np.ndarray:
    """NHWC TF convolution in numpy (SAME pads the odd pixel bottom/right)."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    if padding == "SAME":
        oh, ow = -(-h // stride), -(-wd // stride)
        ph = max((oh - 1) * stride + kh - h, 0)
        pw = max((ow - 1) * stride + kw - wd, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    cout = c * w.shape[3] if depthwise else w.shape[3]
    out = np.zeros((n, oh, ow, cout), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            if depthwise:
                out[:, i, j, :] = np.einsum("nhwc,hwcm->ncm", patch, w).reshape(n, -1)
            else:
                out[:, i, j, :] = np.einsum("nhwc,hwcd->nd", patch, w)
    return out


def _small_model(folder: Path) -> tuple[Path, TfjsWriter]:
    m = TfjsWriter()
    m.placeholder("x", [1, 9, 9, 3], "DT_FLOAT")
    w1 = m.const("w1", RNG.normal(size=(3, 3, 3, 4)).astype(np.float32), "float16")
    w2 = m.const("w2", RNG.normal(size=(1, 1, 4, 6)).astype(np.float32), "uint8")
    b2 = m.const("b2", RNG.normal(size=(6,)).astype(np.float32), "float16")
    wd = m.const("wd", RNG.normal(size=(3, 3, 6, 1)).astype(np.float32))
    axes = m.const("axes", np.array([1, 2], np.int32))
    shape = m.const("shape", np.array([1, -1], np.int32))
    axis = m.const("axis", np.array(1, np.int32))
    c1 = m.op("c1", "Conv2D", ["x", w1], **_conv_attr("SAME", 2))
    c2 = m.op("c2", "_FusedConv2D", [c1, w2, b2], **_conv_attr("VALID", 1),
              fused_ops=attr_strs(["BiasAdd", "Relu"]),
              num_args={"i": "1"})
    d = m.op("d", "DepthwiseConv2dNative", [c2, wd], **_conv_attr("SAME", 1))
    s = m.op("s", "Add", [d, c2])
    mean = m.op("mean", "Mean", [s, axes], keep_dims={"b": False})
    flat = m.op("flat", "Reshape", [s, shape])
    m.op("out", "ConcatV2", [mean, flat, axis])
    return m.write(folder, ["out"], stem="tiny"), m


def _reference(m: TfjsWriter, x: np.ndarray) -> np.ndarray:
    v = m.values
    c1 = _conv_ref(x, v["w1"], 2, "SAME")
    c2 = np.maximum(_conv_ref(c1, v["w2"], 1, "VALID") + v["b2"], 0)
    s = _conv_ref(c2, v["wd"], 1, "SAME", depthwise=True) + c2
    return np.concatenate([s.mean(axis=(1, 2)), s.reshape(1, -1)], axis=1)


@pytest.mark.parametrize("optimise", [True, False])
def test_small_model_matches_numpy_reference(tmp_path: Path, optimise: bool) -> None:
    path, writer = _small_model(tmp_path)
    model, report = convert_tfjs(path, optimise_layout=optimise)
    x = RNG.normal(size=(1, 9, 9, 3)).astype(np.float32)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"x": x})
    np.testing.assert_allclose(got, _reference(writer, x), atol=1e-4, rtol=1e-4)
    assert isinstance(report, ConversionReport)
    assert report.ops["Conv2D"] == 1 and report.ops["Const"] == 7
    assert report.inputs == [("x", [1, 9, 9, 3], "float32")]
    assert report.outputs == [("out", [1, 156])]
    assert report.transposes <= report.transposes_before_optimisation


def test_layout_optimisation_removes_transposes(tmp_path: Path) -> None:
    path, _ = _small_model(tmp_path)
    _, report = convert_tfjs(path)
    # One Transpose into NCHW for the first conv, one back before the Reshape.
    assert report.transposes == 2
    assert report.transposes_before_optimisation == 6


def test_unsupported_op_names_op_and_node(tmp_path: Path) -> None:
    m = TfjsWriter()
    m.placeholder("x", [1, 4], "DT_FLOAT")
    m.op("weird/node", "FancyOp", ["x"])
    path = m.write(tmp_path, ["weird/node"])
    with pytest.raises(UnsupportedOpError) as info:
        convert_tfjs(path)
    assert info.value.op == "FancyOp" and info.value.node == "weird/node"
    assert "FancyOp" in str(info.value) and "weird/node" in str(info.value)


@pytest.mark.parametrize(
    ("breakage", "needle"),
    [("missing_shard", "tiny.bin"), ("bad_json", "tiny.json"),
     ("no_topology", "tiny.json")],
)
def test_broken_model_raises_model_error(tmp_path: Path, breakage: str, needle: str) -> None:
    path, _ = _small_model(tmp_path)
    if breakage == "missing_shard":
        (tmp_path / "tiny.bin").unlink()
    elif breakage == "bad_json":
        path.write_text("{not json")
    else:
        path.write_text(json.dumps({"format": "graph-model"}))
    with pytest.raises(ModelError, match=needle):
        convert_tfjs(path)


def test_opset_out_of_range(tmp_path: Path) -> None:
    path, _ = _small_model(tmp_path)
    with pytest.raises(ValueError, match="opset"):
        convert_tfjs(path, opset=9)
