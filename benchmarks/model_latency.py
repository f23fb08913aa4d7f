"""Latency of every model of the pack on this machine, and the install time.

Per model at its default input size: p50/p95 over ``--runs`` calls (after a
warm-up) with ONNX Runtime threads=2 and threads=1. Then ``kuzet models
install`` into a fresh temporary folder, timed from scratch (skip with
``--skip-install``). Models that are not installed are reported as such.

Usage: python benchmarks/model_latency.py [--runs 30] [--skip-install] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
VTEST = REPO.parent / "shared" / "data" / "video" / "vtest.avi"


def _frame() -> np.ndarray:
    """vtest.avi frame 200 (768x576) if available, else a synthetic frame."""
    if VTEST.is_file():
        from kuzet.cli.detect import read_frame

        return np.asarray(read_frame(VTEST, 200))
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (576, 768, 3), dtype=np.uint8)


def _text_image() -> np.ndarray:
    import cv2

    image = np.full((120, 480, 3), 255, np.uint8)
    cv2.putText(image, "KZ 123 ABC", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.8, (0, 0, 0), 4)
    return image


def _builders(frame: np.ndarray) -> dict[str, tuple[str, Callable[[int], Callable[[], Any]]]]:
    from kuzet.models.paths import require_model

    def nanodet(threads: int) -> Callable[[], Any]:
        from kuzet.detect.nanodet import NanoDetDetector

        det = NanoDetDetector(require_model("nanodet"), threads)
        return lambda: det.detect(frame)

    def movenet(threads: int) -> Callable[[], Any]:
        from kuzet.enrich.pose.movenet import PoseEstimator

        pose = PoseEstimator(require_model("movenet-multipose"), threads)
        return lambda: pose.detect(frame)

    def centerface(threads: int) -> Callable[[], Any]:
        from kuzet.enrich.face.detector import FaceDetector

        faces = FaceDetector(require_model("centerface"), threads)
        return lambda: faces.detect(frame)

    def faceres(threads: int) -> Callable[[], Any]:
        from kuzet.models.session import create_session

        session = create_session(require_model("faceres"), threads)
        name = session.get_inputs()[0].name
        blob = np.zeros((1, 224, 224, 3), np.float32)
        return lambda: session.run(None, {name: blob})

    def dlib_embed(threads: int) -> Callable[[], Any]:
        from kuzet.enrich.face.embedder import FaceEmbedder

        embedder = FaceEmbedder()
        box = np.array([[300, 200, 400, 300]], np.float32)
        return lambda: embedder.embed(frame, box)

    def ocr(threads: int) -> Callable[[], Any]:
        from kuzet.enrich.text.ocr import TextReader

        reader = TextReader(threads=threads)
        image = _text_image()
        return lambda: reader.read(image)

    return {
        "nanodet": ("416x416 (768x576 frame)", nanodet),
        "movenet-multipose": ("256x256 (768x576 frame)", movenet),
        "centerface": ("768x576 native", centerface),
        "faceres": ("224x224", faceres),
        "dlib-face-resnet": ("1 face, 150x150 chip", dlib_embed),
        "ppocr (det+rec)": ("480x120 sign", ocr),
    }


def _measure(call: Callable[[], Any], runs: int) -> tuple[float, float]:
    for _ in range(3):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def bench_models(runs: int) -> list[dict[str, Any]]:
    """p50/p95 per model and thread count."""
    from kuzet.core.errors import ModelError

    rows = []
    for name, (size, build) in _builders(_frame()).items():
        row: dict[str, Any] = {"model": name, "input": size}
        try:
            for threads in (2, 1):
                p50, p95 = _measure(build(threads), runs)
                row[f"t{threads}_p50_ms"] = round(p50, 1)
                row[f"t{threads}_p95_ms"] = round(p95, 1)
        except ModelError as exc:
            row["error"] = str(exc)
        rows.append(row)
    return rows


def bench_install() -> dict[str, Any]:
    """Time `kuzet models install` into a fresh folder."""
    kuzet = Path(sys.executable).parent / "kuzet"
    with tempfile.TemporaryDirectory(prefix="kuzet-models-bench-") as folder:
        env = dict(os.environ, KUZET_MODELS=folder)
        started = time.perf_counter()
        proc = subprocess.run([str(kuzet), "models", "install", "--quiet"], env=env,
                              capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    return {"seconds": round(seconds, 1), "exit_code": proc.returncode,
            "folder_mb": round(size / 2**20, 1), "output": (proc.stdout + proc.stderr).strip()}


def _table(rows: list[dict[str, Any]]) -> str:
    cols = "".join(f" {c:>8}" for c in ("t=2 p50", "t=2 p95", "t=1 p50", "t=1 p95"))
    head = f"{'model':<20} {'input':<26}{cols}"
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['model']:<20} {r['input']:<26} not installed: {r['error']}")
            continue
        lines.append(f"{r['model']:<20} {r['input']:<26} {r['t2_p50_ms']:>8.1f} "
                     f"{r['t2_p95_ms']:>8.1f} {r['t1_p50_ms']:>8.1f} {r['t1_p95_ms']:>8.1f}")
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark and print a table (ms)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--skip-install", action="store_true")
    parser.add_argument("--json", action="store_true", help="Also print one JSON line.")
    args = parser.parse_args()
    rows = bench_models(args.runs)
    print(f"model latency in ms on {os.cpu_count()} CPU cores, {args.runs} runs each")
    print(_table(rows))
    result: dict[str, Any] = {"latency": rows}
    if not args.skip_install:
        install = bench_install()
        result["install"] = install
        print(f"\nkuzet models install from scratch: {install['seconds']} s "
              f"(exit {install['exit_code']}, {install['folder_mb']} MB in the folder)")
        if install["exit_code"]:
            print(install["output"])
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
