"""Layout helpers: permutation algebra and the Transpose clean-up pass.

Convention: ``compose(p, r)`` is the single permutation equal to transposing
by ``p`` and then by ``r`` (``np.transpose(np.transpose(a, p), r)``).

TF graphs are NHWC while ONNX Conv is NCHW.  The converter keeps activations
NCHW between layout-agnostic ops and only transposes at layout-sensitive
boundaries; :func:`cancel_transposes` then removes Transpose chains that
compose to the identity (e.g. the NCHW<->NHWC pairs PyTorch exports wrap
around every convolution) and fuses the remaining chains into one.
"""

from __future__ import annotations

from collections import Counter

from onnx import GraphProto, ModelProto, NodeProto, helper

Perm = tuple[int, ...]

NHWC_TO_NCHW: Perm = (0, 3, 1, 2)
NCHW_TO_NHWC: Perm = (0, 2, 3, 1)


def identity(rank: int) -> Perm:
    """The identity permutation of ``rank`` axes."""
    return tuple(range(rank))


def is_identity(perm: Perm | None) -> bool:
    """True for ``None``, ``()`` and ``(0, 1, ..., n-1)``."""
    return perm is None or tuple(perm) == identity(len(perm))


def inverse(perm: Perm) -> Perm:
    """The permutation undoing ``perm``."""
    out = [0] * len(perm)
    for i, p in enumerate(perm):
        out[p] = i
    return tuple(out)


def compose(first: Perm, then: Perm) -> Perm:
    """Transpose by ``first`` and then by ``then`` as one permutation."""
    return tuple(first[i] for i in then)


def axis_in(perm: Perm | None, axis: int) -> int:
    """Where TF axis ``axis`` lives in an ONNX value holding TF transposed by ``perm``."""
    return axis if perm is None else inverse(perm)[axis]


def count_transposes(graph: GraphProto | ModelProto) -> int:
    """Number of Transpose nodes in a graph (top level)."""
    g = graph.graph if isinstance(graph, ModelProto) else graph
    return sum(1 for n in g.node if n.op_type == "Transpose")


def cancel_transposes(nodes: list[NodeProto], keep: set[str]) -> list[NodeProto]:
    """Fuse Transpose->Transpose chains and drop ones composing to the identity.

    Args:
        nodes: Graph nodes in topological order.
        keep: Value names that must survive (graph outputs).

    Returns:
        The new node list; unused nodes left behind are removed.
    """
    producer = {out: n for n in nodes for out in n.output}
    rename: dict[str, str] = {}
    result: list[NodeProto] = []
    for node in nodes:
        for k, name in enumerate(node.input):
            node.input[k] = rename.get(name, name)
        src = producer.get(node.input[0]) if node.op_type == "Transpose" else None
        if src is not None and src.op_type == "Transpose":
            perm = compose(_perm(src), _perm(node))
            if is_identity(perm) and node.output[0] not in keep:
                rename[node.output[0]] = src.input[0]
                continue
            node = helper.make_node(
                "Transpose", [src.input[0]], list(node.output), name=node.name, perm=list(perm)
            )
            producer[node.output[0]] = node
        result.append(node)
    return prune(result, keep)


def prune(nodes: list[NodeProto], keep: set[str]) -> list[NodeProto]:
    """Drop nodes none of whose outputs is consumed or kept."""
    while True:
        used = Counter(name for n in nodes for name in n.input) + Counter(keep)
        alive = [n for n in nodes if any(o in used for o in n.output)]
        if len(alive) == len(nodes):
            return alive
        nodes = alive


def _perm(node: NodeProto) -> Perm:
    for attr in node.attribute:
        if attr.name == "perm":
            return tuple(attr.ints)
    raise ValueError(f"Transpose node {node.name!r} has no perm attribute")
