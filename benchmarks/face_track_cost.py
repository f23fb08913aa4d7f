"""Per-track face cost and decisions on a clip: embeddings per person track, probes, matches.

Runs a video through ``CameraPipeline`` (NanoDet, tracking, faces on) and counts,
per person track that showed a face: dlib embeddings computed (the cost), probes
sent and, against one enrolled photo (``--gallery``), the match decisions a
watchlist would make at ``--threshold`` (a probe within the threshold of the
photo is a match; each probe is one decision). No embedding or crop is written
or printed: only counts and distances.

Usage:
    .venv/bin/python benchmarks/face_track_cost.py VIDEO [--gallery PHOTO] [--fps 10]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np

from kuzet.config.cameras import CameraConfig
from kuzet.core.sightings import FaceProbe
from kuzet.detect import load_object_detector
from kuzet.ingest.source import VideoSource
from kuzet.runtime.build import build_pipeline


def gallery_embedding(path: Path) -> np.ndarray:
    """The largest face's embedding in one photo."""
    from kuzet.eval.faces import _Embeddings

    found = _Embeddings().get(path)
    if found is None:
        raise SystemExit(f"{path}: no face found")
    return found


def run(video: Path, args: argparse.Namespace) -> tuple[list[FaceProbe], object, float]:
    """Probes of the whole clip, the face stage's stats, wall seconds."""
    cam = CameraConfig.model_validate({
        "source": {"url": str(video), "pace": "fast"},
        "detect": {"fps": args.fps, "width": args.width},
        "faces": {"enabled": True, "min_face_px": args.min_face_px},
    })
    pipeline = build_pipeline("bench", cam, load_object_detector(cam.detect.model, threads=2))
    probes: list[FaceProbe] = []
    start = time.perf_counter()
    for frame in VideoSource("bench", cam.source, fps=args.fps, width=args.width).frames():
        probes += pipeline.process(frame).face_probes
    close = getattr(pipeline, "close_faces", None)  # tracks still open at the end
    if close is not None:
        probes += close()
    assert pipeline.faces is not None
    return probes, pipeline.faces.stats, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--gallery", type=Path, help="One enrolment photo to match against.")
    parser.add_argument("--threshold", type=float, default=0.6)
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--min-face-px", type=int, default=40)
    args = parser.parse_args()
    probes, stats, wall = run(args.video, args)
    embeds = int(getattr(stats, "embeds", getattr(stats, "probes", 0)))
    per_track = Counter(p.track_id for p in probes)
    tracks = len(per_track)
    print(f"clip {args.video.name}: {wall:.1f} s; {stats.looks} looks, "  # type: ignore[attr-defined]
          f"{stats.faces} faces found, {embeds} embeddings, {len(probes)} probes, "  # type: ignore[attr-defined]
          f"{tracks} person tracks with probes")
    if tracks:
        print(f"embeddings per track {embeds / tracks:.2f}; probes per track "
              f"{len(probes) / tracks:.2f} (max {max(per_track.values())}); face stage "
              f"{stats.total_s:.2f} s: detection {stats.detect_s:.2f} s, embedding "  # type: ignore[attr-defined]
              f"{stats.embed_s:.2f} s")  # type: ignore[attr-defined]
    if args.gallery is not None and probes:
        ref = gallery_embedding(args.gallery)
        dist = [float(np.linalg.norm(p.embedding - ref)) for p in probes]
        matched = [p for p, d in zip(probes, dist, strict=True) if d <= args.threshold]
        print(f"match decisions at {args.threshold}: {len(matched)} probes matched, on "
              f"{len({p.track_id for p in matched})} tracks; per track, the distance of "
              "each probe (last = the track's final decision when aggregated):")
        for track in sorted(per_track):
            ds = [f"{d:.3f}" for p, d in zip(probes, dist, strict=True) if p.track_id == track]
            print(f"  track {track}: {', '.join(ds)}")


if __name__ == "__main__":
    main()
