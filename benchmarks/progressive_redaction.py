"""Redacted playback: seconds until the first part can play vs until the whole span is ready.

Usage::

    .venv/bin/python benchmarks/progressive_redaction.py [VIDEO] [--seconds 20]

Records the first ``--seconds`` of VIDEO (segments of 4 s, real recorder), then
times, with the real redaction models: the first piece's redacted copy (what the
console's player waits for now), all pieces (the whole span, piece by piece), and
one re-encode of the whole joined span (what the player waited for before).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kuzet.config.cameras import SourceConfig
from kuzet.config.record import RecordConfig
from kuzet.ingest import VideoSource
from kuzet.privacy.redaction import Redactor
from kuzet.record import Recorder, Segment
from kuzet.record.index import SegmentIndex
from kuzet.record.playback import Recordings
from kuzet.record.redact import redact_video
from kuzet.store import open_store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "video"


def main() -> None:
    """Print the three times."""
    parser = argparse.ArgumentParser()
    parser.add_argument("video", nargs="?", type=Path, default=SHARED / "vtest.avi")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    cfg = RecordConfig(enabled=True, segment_s=4.0)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "media"
        store = open_store(None, Path(tmp))
        segments: list[Segment] = []
        recorder = Recorder("cam", cfg, root, segments.append)
        source = VideoSource("cam", SourceConfig(url=str(args.video), pace="fast"), 5, 320,
                             tap=recorder)
        for frame in source.frames():
            if frame.ts >= args.seconds:
                break
        recorder.close()
        index = SegmentIndex(store.engine)
        for segment in segments:
            index.add(segment)
        recs = Recordings(index, root, cfg, {"cam": cfg})
        span = recs.span_file("cam", segments[0].start, segments[-1].end)
        redactor = Redactor()
        redactor.find_whole(__import__("numpy").zeros((64, 64, 3), "uint8"))  # load models
        t0 = time.perf_counter()
        recs.pieces.piece(span.pieces[0].key, redactor)
        first = time.perf_counter() - t0
        for piece in span.pieces[1:]:
            recs.pieces.piece(piece.key, redactor)
        every = time.perf_counter() - t0
        t1 = time.perf_counter()
        redact_video(span.path, Path(tmp) / "whole.mp4", redactor, cfg.crf)
        whole = time.perf_counter() - t1
        seconds = sum(p.duration_s for p in span.pieces)
        print(f"{seconds:.1f} s of video in {len(span.pieces)} pieces: first part playable "
              f"after {first:.1f} s, all parts {every:.1f} s; one re-encode of the whole "
              f"span (before) {whole:.1f} s")
        store.close()


if __name__ == "__main__":
    main()
