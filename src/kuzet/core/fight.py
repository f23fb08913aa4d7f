"""What the fight analyser (``kuzet.fights``) hands to the live rule, once per window stride.

A core type: ``Observation`` carries it, so it sits below every stage that passes it on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kuzet.core.types import FloatArray


@dataclass(frozen=True)
class FightWindow:
    """The model's verdict on the last ``window_s`` seconds of one camera.

    Attributes:
        ts: Frame time (s) of the window's last frame.
        wall: Wall-clock UNIX time of that frame.
        score: Probability of a fight in the window, 0..1 (the trained model's output).
        people: Number of people involved (in the interacting group that scored highest).
        boxes: (N,4) xyxy boxes of the people involved, analysis-frame pixels.
        aggression: (aggressor index, target index) pairs into ``boxes`` where one
            person's motion is directed at another (empty when none or not separable).
    """

    ts: float
    wall: float
    score: float
    people: int
    boxes: FloatArray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    aggression: tuple[tuple[int, int], ...] = ()
