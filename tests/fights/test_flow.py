"""Optical-flow features on synthetic frames: translation vs parts moving apart."""

from __future__ import annotations

import numpy as np

from kuzet.fights.flow import FLOW_NAMES, FlowMeter

RNG = np.random.default_rng(0)
TEXTURE = RNG.integers(0, 255, (120, 80), dtype=np.uint8)


def _frame(parts: list[tuple[int, int]]) -> np.ndarray:
    """A gray 480x640 frame with textured 60x80 patches at (x, y) positions."""
    image = np.full((480, 640), 90, np.uint8)
    for x, y in parts:
        image[y:y + 60, x:x + 80] = TEXTURE[:60]
    return np.repeat(image[:, :, None], 3, axis=2)


def _measure(frames: list[np.ndarray]) -> dict[str, float]:
    meter = FlowMeter()
    row = np.zeros(len(FLOW_NAMES))
    for image in frames:
        row = meter.measure(image, 0.1, np.zeros((0, 4), np.float32))
    return dict(zip(FLOW_NAMES, row.tolist(), strict=True))


def test_first_frame_is_unknown_and_static_is_still() -> None:
    meter = FlowMeter()
    assert np.isnan(meter.measure(_frame([(100, 100)]), 0.1, np.zeros((0, 4), np.float32))).all()
    still = _measure([_frame([(100, 100)])] * 2)
    assert still["flow_mean"] < 0.01 and still["blob_internal"] == 0


def test_parts_moving_apart_beat_one_block_translating() -> None:
    # One block made of two patches moving together, 12 px per frame to the right.
    walk = _measure([_frame([(200 + 12 * k, 200), (200 + 12 * k, 260)]) for k in range(3)])
    # The same two patches moving in opposite directions (a scuffle, crudely).
    tussle = _measure([_frame([(200 + 12 * k, 200), (200 - 12 * k, 260)]) for k in range(3)])
    assert walk["blob_internal"] > 0 and tussle["blob_internal"] > 0
    assert tussle["blob_internal"] > 1.5 * walk["blob_internal"]
    assert walk["blob_coherence"] > tussle["blob_coherence"]
    assert tussle["flow_entropy"] > walk["flow_entropy"]
