"""Per-image plate reading latency on a labelled plate folder (no vehicle detector).

Photos (openalpr-style ``NAME.jpg`` + ``NAME.txt``): ``PlateReader.candidates`` on
the whole image (localisation, recognition, format step). Crops (``labels.csv``):
``PlateReader.read_crop``. Each image is timed ``--repeat`` times after one
warm-up pass; prints the median, 90th percentile and mean milliseconds per image.
One ONNX Runtime thread per model, as the camera workers run them.

To compare with an older checkout, run the same script with ``PYTHONPATH`` set to
that checkout's ``src``.

Usage:
    .venv/bin/python benchmarks/plate_latency.py ../shared/data/plates/openalpr_eu [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

from kuzet.enrich.plate.reader import PlateReader
from kuzet.eval.plates import read_samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=200, help="Images at most.")
    parser.add_argument("--countries", default="KZ,RU,EU,US,CN")
    args = parser.parse_args()
    if not args.folder.is_dir():
        raise SystemExit(f"{args.folder} not found (evaluation data lives in ../shared/data)")
    layout, samples = read_samples(args.folder)
    images = [
        cv2.imdecode(np.fromfile(str(s.path), np.uint8), cv2.IMREAD_COLOR)
        for s in samples[: args.limit]
    ]
    reader = PlateReader(countries=tuple(args.countries.split(",")))

    def once(image: np.ndarray) -> None:
        if layout == "crops":
            reader.read_crop(image)
        else:
            h, w = image.shape[:2]
            reader.candidates(image, np.array([0, 0, w, h], np.float32))

    for image in images:  # warm-up
        once(image)
    times = []
    for image in images:
        for _ in range(args.repeat):
            start = time.perf_counter()
            once(image)
            times.append(1000.0 * (time.perf_counter() - start))
    ms = np.asarray(times)
    print(
        f"{args.folder.name}: {len(images)} {layout} x {args.repeat}: "
        f"p50 {np.median(ms):.1f} ms, p90 {np.percentile(ms, 90):.1f} ms, "
        f"mean {ms.mean():.1f} ms per image"
    )


if __name__ == "__main__":
    main()
