"""The frame-size check of rules that rasterise zones or lines for one frame size."""

from __future__ import annotations

from kuzet.core.types import Observation


def check_frame(rule_id: str, built_for: tuple[int, int], obs: Observation) -> None:
    """Raise ``ValueError`` when ``obs`` comes from frames of another size than
    ``built_for`` (height, width): the rule's masks would not line up.
    """
    if tuple(obs.frame_shape[:2]) != built_for:
        raise ValueError(f"rule {rule_id!r} was built for frame {built_for}, got {obs.frame_shape}")
