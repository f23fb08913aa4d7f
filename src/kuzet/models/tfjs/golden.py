"""Compare a converted model with golden reference outputs stored in an ``.npz``.

The archive holds ``input`` (batch of N items) and the reference outputs,
either ``out:<name>`` (one run on the whole input) or ``out<k>:<name>`` (item
``k`` run alone with batch size 1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from kuzet.core.errors import ModelError


def compare_golden(model: onnx.ModelProto | Path | str, npz_path: Path | str) -> float:
    """Run ``model`` on the golden input and return the worst absolute difference.

    Args:
        model: An ONNX model or the path of an ``.onnx`` file.
        npz_path: Golden archive (``input`` plus ``out:``/``out<k>:`` outputs).

    Returns:
        The maximum absolute difference over every reference output.

    Raises:
        ModelError: The archive has no input or no outputs, or names an output
            the model lacks, or a shape differs.

    Example:
        >>> compare_golden("faceres.onnx", "golden/faceres.npz")  # doctest: +SKIP
        2.98e-08
    """
    data = model.SerializeToString() if isinstance(model, onnx.ModelProto) else str(model)
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    with np.load(npz_path) as golden:
        arrays = {k: golden[k] for k in golden.files}
    if "input" not in arrays:
        raise ModelError(f"{npz_path}: no 'input' array")
    feed_name = session.get_inputs()[0].name
    outputs = [o.name for o in session.get_outputs()]
    x = arrays.pop("input")
    if not arrays:
        raise ModelError(f"{npz_path}: no reference outputs")
    cache: dict[str, dict[str, np.ndarray]] = {}
    worst = 0.0
    for key, expected in arrays.items():
        tag, _, name = key.partition(":")
        if name not in outputs:
            raise ModelError(f"{npz_path}: reference {key!r} names no model output ({outputs})")
        if tag not in cache:
            batch = x if tag == "out" else x[int(tag[3:]) : int(tag[3:]) + 1]
            cache[tag] = dict(zip(outputs, session.run(None, {feed_name: batch}), strict=True))
        got = cache[tag][name]
        if got.shape != expected.shape:
            raise ModelError(f"{npz_path}: {key} shape {got.shape} != reference {expected.shape}")
        worst = max(worst, float(np.max(np.abs(got.astype(np.float64) - expected))))
    return worst
