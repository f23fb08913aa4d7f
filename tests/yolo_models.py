"""Tiny YOLO-layout ONNX models built by the tests (no download).

Import as ``from yolo_models import build_yolo_model`` (``tests/`` is on the path).
A model's output is a constant (a v5 ``[1,N,5+C]`` or v8/11 ``[1,4+C,N]``
tensor); the image input is kept in the graph (``output + 0 * sum(images)``) so
runtimes do not prune it, and a real inference session runs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HELMET_CLASSES = ("helmet", "vest")
HELMET_SIZE = 320


def v8_output(
    boxes_cxcywh: Sequence[Sequence[float]], classes: Sequence[int], scores: Sequence[float],
    n_classes: int, anchors: int = 40,
) -> np.ndarray:
    """A v8/11 ``[1, 4+C, anchors]`` output holding the given candidates (rest zero)."""
    rows = np.zeros((anchors, 4 + n_classes), np.float32)
    for i, (box, cls, score) in enumerate(zip(boxes_cxcywh, classes, scores, strict=True)):
        rows[i, :4] = box
        rows[i, 4 + cls] = score
    return rows.T[None].copy()


def build_yolo_model(
    path: Path,
    output: np.ndarray,
    *,
    size: tuple[int, int] = (64, 64),
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Save an ONNX model whose ``output0`` is ``output`` for any ``[1,3,H,W]`` image.

    Args:
        path: Where to write the .onnx file.
        output: The constant output tensor.
        size: (width, height) of the static input.
        metadata: ``metadata_props`` (e.g. ultralytics' ``names``, ``task``).
    """
    const = helper.make_node("Constant", [], ["raw"], value=numpy_helper.from_array(output))
    reduce = helper.make_node("ReduceSum", ["images"], ["s"], keepdims=0)
    zero = helper.make_node("Constant", [], ["zero"], value=numpy_helper.from_array(
        np.array(0, np.float32)))
    mul = helper.make_node("Mul", ["s", "zero"], ["z"])
    add = helper.make_node("Add", ["raw", "z"], ["output0"])
    width, height = size
    graph = helper.make_graph(
        [const, reduce, zero, mul, add], "tiny-yolo",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, height, width])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(output.shape))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    if metadata is not None:
        helper.set_model_props(model, dict(metadata))
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def helmet_model(path: Path) -> Path:
    """A v8-layout "helmet"/"vest" detector with ultralytics-style metadata.

    Whatever the image, it finds one helmet (score 0.9) in the middle of its
    320x320 input, a 64x96 box, and one weak vest (0.2, below the default 0.35).
    """
    half = HELMET_SIZE / 2
    output = v8_output(
        [[half, half, 64, 96], [40, 40, 30, 30]], [0, 1], [0.9, 0.2], len(HELMET_CLASSES)
    )
    names = "{" + ", ".join(f"{i}: '{n}'" for i, n in enumerate(HELMET_CLASSES)) + "}"
    meta = {"names": names, "task": "detect", "imgsz": f"[{HELMET_SIZE}, {HELMET_SIZE}]",
            "stride": "32", "author": "kuzet tests"}
    return build_yolo_model(path, output, size=(HELMET_SIZE, HELMET_SIZE), metadata=meta)
