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


def _p50_ms(session: ort.InferenceSession, feed: dict[str, np.ndarray], runs: int) -> float:
    for _ in range(5):
        session.run(None, feed)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, feed)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000.0)


def _measure(
    source: Path, optimise: bool, runs: int, tmp: Path
) -> tuple[int, int, int, float, float]:
    model, report = convert_tfjs(source, optimise_layout=optimise)
    name, shape, dtype = MODELS[source.stem]
    feed = {name: np.random.default_rng(0).uniform(0, 255, shape).astype(dtype)}
    dump = tmp / f"{source.stem}-{optimise}.ort.onnx"
    session = _session(model, dump)
    ort_transposes = count_transposes(onnx.load(str(dump)))
    raw = _p50_ms(_session(model, None), feed, runs)
    return report.transposes, ort_transposes, report.onnx_nodes, _p50_ms(session, feed, runs), raw


def main() -> None:
    """Print the per-model table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tfjs-dir", type=Path, default=Path("/tmp/hm/package/models"))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"{'model':18} {'layout':9} {'ours':>5} {'ORT-opt':>7} {'nodes':>6} "
          f"{'p50 ms':>8} {'p50 ms (ORT opt off)':>21}")
    with tempfile.TemporaryDirectory() as tmp:
        for stem in MODELS:
            source = args.tfjs_dir / f"{stem}.json"
            for optimise in (False, True):
                ours, after, nodes, p50, raw = _measure(source, optimise, args.runs, Path(tmp))
                label = "optimised" if optimise else "naive"
                print(f"{stem:18} {label:9} {ours:5d} {after:7d} {nodes:6d} {p50:8.2f} {raw:21.2f}")


if __name__ == "__main__":
    main()
