"""static_foreground: a new object that stays becomes a blob; movers, drift and ghosts do not."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from kuzet.core.types import Frame, Image
from kuzet.motion.static_foreground import StaticForeground, StaticForegroundParams

SHAPE = (240, 320)
BAG = (150, 120, 180, 150)  # x1, y1, x2, y2


def _scene() -> Image:
    rng = np.random.default_rng(3)
    noise = rng.integers(60, 200, (*SHAPE, 3), dtype=np.uint8)
    return np.asarray(cv2.GaussianBlur(noise, (7, 7), 0), np.uint8)


def _bag(img: Image) -> Image:
    out = img.copy()
    x1, y1, x2, y2 = BAG
    out[y1:y2, x1:x2] = 20
    return out


def _walker(img: Image, ts: float) -> Image:
    out = img.copy()
    x = int(10 + 25 * ts) % 300
    out[60:110, x : x + 15] = 230
    return out


def _drift(img: Image, ts: float) -> Image:
    return np.clip(img.astype(np.float32) * (1 + 0.01 * ts), 0, 255).astype(np.uint8)


Scene = Callable[[Image, float], Image]
CASES: dict[str, tuple[Scene, bool]] = {
    "bag set down at 2 s stays": (lambda s, t: _bag(s) if t >= 2 else s, True),
    "walker keeps moving": (_walker, False),
    "lighting drifts 1%/s": (_drift, False),
    "bag present at start then taken (ghost)": (lambda s, t: _bag(s) if t < 2 else s, False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_static_blobs(name: str) -> None:
    make, expected = CASES[name]
    base = _scene()
    sf = StaticForeground(StaticForegroundParams(static_after=3.0), SHAPE)
    blobs = np.zeros((0, 5), np.float32)
    for i in range(100):  # 20 s at 5 fps
        ts = i * 0.2
        blobs = sf.update(Frame("c", i, ts, 1e9 + ts, make(base, ts)))
    assert (len(blobs) > 0) is expected, blobs
    if expected:
        x1, y1, x2, y2, since = blobs[0]
        assert abs(x1 - BAG[0]) < 8 and abs(y2 - BAG[3]) < 8
        assert 2.0 <= since <= 4.0


def test_wrong_frame_size_is_refused() -> None:
    sf = StaticForeground(StaticForegroundParams(), SHAPE)
    with pytest.raises(ValueError, match="expected frames"):
        sf.update(Frame("c", 0, 0.0, 0.0, np.zeros((10, 10, 3), np.uint8)))
