"""TFJS graph model -> ONNX ModelProto: the conversion driver.

A change that alters the output must bump ``registry.TFJS_CONVERTER_VERSION``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import ModelProto, TensorProto, helper

from kuzet.core.errors import ModelError, UnsupportedOpError
from kuzet.models.tfjs.graph import TF_DTYPES, Builder, Tensor, TfNode
from kuzet.models.tfjs.layout import cancel_transposes, count_transposes, prune
from kuzet.models.tfjs.ops import CONVERTERS
from kuzet.models.tfjs.ops.fold import FOLDERS
from kuzet.models.tfjs.reader import SignatureTensor, TfjsModel, load_tfjs

MIN_OPSET, MAX_OPSET = 15, 18

Dim = int | str | None


@dataclass(frozen=True)
class ConversionReport:
    """What a conversion produced.

    Attributes:
        ops: TF op counts of the source graph.
        onnx_nodes: Nodes in the emitted ONNX graph.
        transposes_before_optimisation: Transposes of the naive conversion (each
            NHWC conv wrapped in a Transpose pair, TF Transposes kept).
        transposes: Transposes in the emitted ONNX graph.
        inputs: ``(name, shape, dtype)`` per graph input (dtype like ``float32``).
        outputs: ``(name, shape)`` per graph output (``None``/str for dynamic dims).
    """

    ops: dict[str, int]
    onnx_nodes: int
    transposes_before_optimisation: int
    transposes: int
    inputs: list[tuple[str, list[Dim], str]]
    outputs: list[tuple[str, list[Dim]]]


def convert_tfjs(
    model_json: Path, *, opset: int = 17, optimise_layout: bool = True
) -> tuple[ModelProto, ConversionReport]:
    """Convert a TensorFlow.js graph model to ONNX.

    Args:
        model_json: The TFJS ``model.json`` (its weight shards next to it).
        opset: ONNX opset to target (15 to 18).
        optimise_layout: Keep NHWC activations NCHW between convolutions and
            cancel Transpose pairs. ``False`` gives the naive graph (a Transpose
            pair around every conv), useful only to measure the difference.

    Returns:
        The ONNX model (checked) and a :class:`ConversionReport`.

    Raises:
        UnsupportedOpError: The graph uses an op the converter lacks.
        ModelError: model.json is malformed or a weight shard is missing.
        ValueError: ``opset`` is outside the supported range.

    Example:
        >>> model, report = convert_tfjs(Path("models/faceres.json"))  # doctest: +SKIP
        >>> report.transposes
        1
    """
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise ValueError(f"opset must be in [{MIN_OPSET}, {MAX_OPSET}], got {opset}")
    source = load_tfjs(Path(model_json))
    nodes = _topological(source)
    _check_supported(nodes)
    model = _build(source, nodes, opset, optimise_layout)
    naive = model if not optimise_layout else _build(source, nodes, opset, False)
    inferred = onnx.shape_inference.infer_shapes(model)
    for value, typed in zip(model.graph.output, inferred.graph.output, strict=True):
        if typed.type.tensor_type.HasField("shape"):
            value.CopyFrom(typed)
    report = ConversionReport(
        ops=dict(Counter(n.op for n in nodes)),
        onnx_nodes=len(model.graph.node),
        transposes_before_optimisation=count_transposes(naive),
        transposes=count_transposes(model),
        inputs=[(v.name, _dims(v), _elem_name(v)) for v in model.graph.input],
        outputs=[(v.name, _dims(v)) for v in model.graph.output],
    )
    return model, report


def _dims(value: onnx.ValueInfoProto) -> list[Dim]:
    shape = value.type.tensor_type.shape
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in shape.dim]


def _elem_name(value: onnx.ValueInfoProto) -> str:
    return str(helper.tensor_dtype_to_np_dtype(value.type.tensor_type.elem_type))


def _topological(source: TfjsModel) -> list[TfNode]:
    """TfNodes in dependency order (TFJS does not promise one)."""
    raw = {}
    for entry in source.nodes:
        try:
            node = TfNode(str(entry["name"]), str(entry["op"]),
                          [str(i) for i in entry.get("input", [])], dict(entry.get("attr", {})))
        except (KeyError, TypeError) as exc:
            raise ModelError(f"{source.path}: malformed node {entry!r:.200}") from exc
        raw[node.name] = node
    order: list[TfNode] = []
    state: dict[str, int] = {}
    for root in raw:
        stack = [(root, False)]
        while stack:
            name, done = stack.pop()
            if done:
                state[name] = 2
                order.append(raw[name])
                continue
            if state.get(name) or name not in raw:
                continue
            state[name] = 1
            stack.append((name, True))
            stack.extend((_ref(i)[0], False) for i in raw[name].inputs)
    return order


def _ref(name: str) -> tuple[str, int]:
    """``"node:1"`` -> ("node", 1); ``"^node"`` (control) -> ("node", -1)."""
    if name.startswith("^"):
        return name[1:], -1
    base, _, idx = name.rpartition(":")
    return (base, int(idx)) if base and idx.isdigit() else (name, 0)


def _check_supported(nodes: list[TfNode]) -> None:
    for node in nodes:
        if node.op not in CONVERTERS and node.op not in ("Const", "Placeholder", "NoOp"):
            raise UnsupportedOpError(node.op, node.name)


def _signature_for(entries: list[SignatureTensor], node: str) -> SignatureTensor | None:
    return next((e for e in entries if _ref(e.tensor)[0] == node), None)


def _placeholder(b: Builder, node: TfNode, source: TfjsModel) -> tuple[Tensor, onnx.ValueInfoProto]:
    sig = _signature_for(source.inputs, node.name)
    dims = node.attr.get("shape", {}).get("shape", {}).get("dim")
    shape = [int(d.get("size", -1)) for d in dims] if dims is not None else None
    if shape is None and sig is not None:
        shape = list(sig.shape) if sig.shape is not None else None
    dtype = TF_DTYPES.get(sig.dtype, node.dtype("dtype")) if sig else node.dtype("dtype")
    name = sig.key if sig else node.name
    b.reserve(name)
    onnx_shape = None if shape is None else [
        d if d >= 0 else f"{name}_dim{k}" for k, d in enumerate(shape)]
    info = helper.make_tensor_value_info(name, dtype, onnx_shape)
    return Tensor(name, dtype, None if shape is None else len(shape)), info


def _outputs(source: TfjsModel, nodes: list[TfNode]) -> list[tuple[str, str]]:
    """``(onnx name, tensor ref)`` per output: the signature, else unconsumed nodes."""
    if source.outputs:
        return [(o.key, o.tensor) for o in source.outputs]
    used = {_ref(i)[0] for n in nodes for i in n.inputs}
    return [(n.name, n.name) for n in nodes
            if n.name not in used and n.op not in ("Const", "Placeholder", "NoOp")]


def _build(source: TfjsModel, nodes: list[TfNode], opset: int, optimise: bool) -> ModelProto:
    b = Builder(opset, optimise)
    values, inputs = _emit_nodes(b, source, nodes)
    out_infos = []
    for key, ref in _outputs(source, nodes):
        found = values.get(_ref(ref))
        if found is None:
            raise ModelError(f"{source.path}: output {key!r} refers to unknown tensor {ref!r}")
        b.reserve(key)
        b.scope = key
        b.nodes.append(helper.make_node("Identity", [b.value(found)], [key], name=f"{key}/output"))
        out_infos.append(helper.make_tensor_value_info(key, found.dtype,
                                                       _out_shape(source, key, found)))
    keep = {o.name for o in out_infos}
    final = cancel_transposes(b.nodes, keep) if optimise else prune(b.nodes, keep)
    used = {i for n in final for i in n.input}
    graph = helper.make_graph(final, source.path.stem, inputs, out_infos,
                              [t for t in b.initializers if t.name in used])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="kuzet.models.tfjs")
    model.ir_version = min(model.ir_version, 10)
    return model


def _emit_nodes(
    b: Builder, source: TfjsModel, nodes: list[TfNode]
) -> tuple[dict[tuple[str, int], Tensor], list[onnx.ValueInfoProto]]:
    """Convert every node; return the TF tensors by (node, output) and the graph inputs."""
    values: dict[tuple[str, int], Tensor] = {}
    inputs = []
    for node in nodes:
        if node.op == "Const":
            if node.name not in source.weights:
                raise ModelError(f"{source.path}: constant {node.name!r} is not in weightsManifest")
            value = source.weights[node.name]
            dtype = TF_DTYPES.get(node.attr.get("dtype", {}).get("type", ""), TensorProto.FLOAT)
            outs = [Tensor("", dtype, value.ndim, const=value)]
        elif node.op == "Placeholder":
            tensor, info = _placeholder(b, node, source)
            inputs.append(info)
            outs = [tensor]
        elif node.op == "NoOp":
            continue
        else:
            ins = [_lookup(values, r, node) for r in node.inputs if not r.startswith("^")]
            outs = _convert_node(b, node, ins)
        for k, t in enumerate(outs):
            values[(node.name, k)] = t
    return values, inputs


def _out_shape(source: TfjsModel, key: str, t: Tensor) -> list[Dim]:
    """Rank-only output shape (shape inference fills in the dims later)."""
    sig = next((o for o in source.outputs if o.key == key), None)
    rank = t.rank if t.rank is not None else (len(sig.shape) if sig and sig.shape else 0)
    return [f"{key}_dim{k}" for k in range(rank)]


def _lookup(values: dict[tuple[str, int], Tensor], ref: str, node: TfNode) -> Tensor:
    key = _ref(ref)
    if key not in values:
        raise ModelError(f"node {node.name!r} ({node.op}): input {ref!r} is not produced")
    return values[key]


def _convert_node(b: Builder, node: TfNode, ins: list[Tensor]) -> list[Tensor]:
    if ins and all(t.const is not None for t in ins) and node.op in FOLDERS:
        arrays = FOLDERS[node.op](node, [t.const for t in ins if t.const is not None])
        return [Tensor("", ins[0].dtype if a.dtype != np.bool_ else TensorProto.BOOL,
                       a.ndim, const=a) for a in arrays]
    b.scope = node.name
    outs = CONVERTERS[node.op](b, node, ins)
    if not b.optimise_layout:
        outs = [t if t.perm is None else Tensor(b.value(t), t.dtype, t.rank) for t in outs]
    return outs
