"""Recording CPU per camera: remux vs transcode vs analysis-only.

Usage::

    .venv/bin/python benchmarks/recording.py [--seconds 60] [--width 640] [--fps 5]

For each sample it measures process CPU time (all threads: the reader that
decodes and records, ONNX Runtime's threads) per second of video, which is the
share of one core a realtime camera costs:

- ``ingest``: decode + scale to the analysis rate (what every camera pays);
- ``ingest+record``: the same with the recorder tap (remux for H.264, one
  H.264 encode for other codecs); the difference is the recording's cost;
- ``analysis``: ingest + the full default pipeline (motion, NanoDet on regions,
  tracking) without recording.

Samples: vtest.avi (MPEG-4 part 2, 768x576, 10 fps: transcoded), an H.264 copy
of it (remuxed), and bridge_traffic_640x360.mp4 (H.264 at 30 fps: remuxed).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import av

from kuzet.config.cameras import SourceConfig
from kuzet.config.load import load_config_text
from kuzet.config.record import RecordConfig
from kuzet.ingest import VideoSource
from kuzet.record import Recorder

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "video"
VTEST = (Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi"), DATA / "vtest.avi")
BRIDGE = DATA / "bridge_traffic_640x360.mp4"


def _h264_copy(src_path: Path, out_path: Path) -> Path:
    """vtest.avi re-encoded to H.264 (1 s GOP), as an H.264 camera would send it."""
    with av.open(str(src_path)) as src, av.open(str(out_path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 768, 576, "yuv420p"
        stream.codec_context.gop_size = 10
        stream.options = {"preset": "veryfast", "crf": "23"}
        for frame in src.decode(video=0):
            frame.pts = None
            out.mux(stream.encode(frame.reformat(format="yuv420p")))
        out.mux(stream.encode(None))
    return out_path


def _duration(path: Path) -> float:
    with av.open(str(path)) as src:
        return float(src.duration or 0) / 1e6


def _cpu(run: Callable[[], None]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def ingest(video: Path, args: argparse.Namespace, record: Path | None) -> float:
    """CPU seconds to decode (and record into ``record`` when given) the whole file."""
    tap = None
    if record is not None:
        tap = Recorder("bench", RecordConfig(enabled=True), record, lambda _s: None)
    src = VideoSource("bench", SourceConfig(url=str(video), pace="fast"), args.fps, args.width,
                      tap=tap)
    return _cpu(lambda: sum(1 for _ in src.frames()) and None)


def analysis(video: Path, args: argparse.Namespace) -> float:
    """CPU seconds of ingest + the default pipeline (NanoDet, motion, tracking)."""
    from kuzet.runtime.build import build_pipeline, local_detector

    config = load_config_text(
        f"timezone: UTC\ncameras:\n  bench:\n    source: {{url: '{video}', pace: fast}}\n"
        f"    detect: {{fps: {args.fps}, width: {args.width}}}\n"
    )
    camera = config.cameras["bench"]
    pipeline = build_pipeline("bench", camera, local_detector(camera, config.runtime))
    src = VideoSource("bench", camera.source, args.fps, args.width)

    def run() -> None:
        for frame in src.frames():
            pipeline.process(frame)

    return _cpu(run)


def main() -> None:
    """Print one row per sample: CPU share of one core per realtime camera."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--fps", type=float, default=5.0)
    args = parser.parse_args()
    vtest = next(p for p in VTEST if p.is_file())
    with tempfile.TemporaryDirectory() as tmp:
        samples = [
            ("vtest.avi (msmpeg4 -> transcode)", vtest),
            ("vtest H.264 (remux)", _h264_copy(vtest, Path(tmp) / "vtest_h264.mp4")),
            ("bridge 640x360@30 H.264 (remux)", BRIDGE),
        ]
        print(f"{'sample':36} {'video s':>8} {'ingest':>8} {'+record':>8} {'record':>8} "
              f"{'analysis':>9}  (CPU s per video s = cores per camera)")
        for name, path in samples:
            if not path.is_file():
                continue
            seconds = _duration(path)
            base = ingest(path, args, None)
            rec = ingest(path, args, Path(tmp) / "rec")
            full = analysis(path, args)
            print(f"{name:36} {seconds:8.1f} {base / seconds:8.3f} {rec / seconds:8.3f} "
                  f"{(rec - base) / seconds:8.3f} {full / seconds:9.3f}")


if __name__ == "__main__":
    main()
