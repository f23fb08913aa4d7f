"""Synthetic videos written with PyAV, and the real sample when present."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

SAMPLES = (
    Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi"),
    Path(__file__).resolve().parents[3] / "shared" / "data" / "video" / "vtest.avi",
    Path("/work/shared/data/video/vtest.avi"),
)

VideoFactory = Callable[..., Path]


def write_video(
    path: Path, frames: int = 64, fps: int = 10, size: tuple[int, int] = (64, 48)
) -> Path:
    """A clip of a white square moving right on a dark background (mpeg4)."""
    w, h = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for i in range(frames):
            image = np.full((h, w, 3), 30, np.uint8)
            x = (i * 2) % max(1, w - 10)
            image[h // 4 : h // 4 + 10, x : x + 10] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture
def make_video(tmp_path: Path) -> VideoFactory:
    """Factory: ``make_video(name="clip.mp4", frames=64, fps=10, size=(64, 48))``."""

    def make(name: str = "clip.mp4", **kwargs: object) -> Path:
        return write_video(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def vtest() -> Path:
    """The real 768x576 10 fps sample; skips when absent."""
    for path in SAMPLES:
        if path.is_file():
            return path
    pytest.skip("vtest.avi not found (apt-get install opencv-doc, or ../shared)")
