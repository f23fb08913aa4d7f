"""Layout handling of the TFJS -> ONNX converter: Transpose counts and latency.

For each model, converts it with and without layout optimisation and prints:
Transposes in our graph, Transposes left after ONNX Runtime optimises it
(``SessionOptions.optimized_model_filepath`` dump), and p50 latency with
``intra_op_num_threads=2`` -- with ORT's graph optimisations on (the default,
``ORT_ENABLE_ALL``) and off (``ORT_DISABLE_ALL``, i.e. the graph as we emit it,
which is what a runtime without a transpose optimiser would execute).

Usage:
    .venv/bin/python benchmarks/converter_layout.py [--tfjs-dir DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from kuzet.models.tfjs import convert_tfjs
from kuzet.models.tfjs.layout import count_transposes

MODELS = {
    "nanodet": ("input_1:0", (1, 3, 416, 416), np.float32),
    "movenet-multipose": ("input", (1, 256, 256, 3), np.int32),
    "faceres": ("input_1", (1, 224, 224, 3), np.float32),
}


def _session(model: onnx.ModelProto, dump: Path | None) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # the NCHWc "hardware specific" dump warning
    if dump is None:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    else:
        options.optimized_model_filepath = str(dump)
    return ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def _interleaved_p50_ms(sessions: list[ort.InferenceSession], feed: dict[str, np.ndarray],
                        runs: int) -> list[float]:
    """p50 latency per session, running them round-robin so all see the same load."""
    times: list[list[float]] = [[] for _ in sessions]
    for k in range(runs + 5):
        for session, bucket in zip(sessions, times, strict=True):
            start = time.perf_counter()
            session.run(None, feed)
            if k >= 5:  # warm-up
                bucket.append(time.perf_counter() - start)
    return [float(np.median(t) * 1000.0) for t in times]


def _model_rows(source: Path, runs: int, tmp: Path) -> list[str]:
    name, shape, dtype = MODELS[source.stem]
    feed = {name: np.random.default_rng(0).uniform(0, 255, shape).astype(dtype)}
    counts, sessions = [], []
    for optimise in (False, True):
        model, report = convert_tfjs(source, optimise_layout=optimise)
        dump = tmp / f"{source.stem}-{optimise}.ort.onnx"
        sessions += [_session(model, dump), _session(model, None)]
        counts.append((report.transposes, count_transposes(onnx.load(str(dump))),
                       report.onnx_nodes))
    p50 = _interleaved_p50_ms(sessions, feed, runs)
    rows = []
    for k, label in enumerate(("naive", "optimised")):
        ours, after, nodes = counts[k]
        rows.append(f"{source.stem:18} {label:9} {ours:5d} {after:7d} {nodes:6d} "
                    f"{p50[2 * k]:8.2f} {p50[2 * k + 1]:21.2f}")
    return rows


def main() -> None:
    """Print the per-model table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tfjs-dir", type=Path, default=Path("/tmp/hm/package/models"))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"{'model':18} {'layout':9} {'ours':>5} {'ORT-opt':>7} {'nodes':>6} "
          f"{'p50 ms':>8} {'p50 ms (ORT opt off)':>21}")
    with tempfile.TemporaryDirectory() as tmp:
        for stem in MODELS:
            for row in _model_rows(args.tfjs_dir / f"{stem}.json", args.runs, Path(tmp)):
                print(row, flush=True)


if __name__ == "__main__":
    main()
