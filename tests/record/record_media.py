"""Helpers shared by the recording tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av

from kuzet.record import Recorder, Segment

H264_FRAMES = 120  # as tests/conftest.py: 12 s at 10 fps, a keyframe every second
RecordFile = Callable[..., tuple[list[Segment], Recorder]]


def frame_count(path: Path) -> int:
    """Frames decoded from a file (raises on a corrupt file)."""
    with av.open(str(path)) as src:
        return sum(1 for _ in src.decode(video=0))
