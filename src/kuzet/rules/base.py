"""Build a camera's rules: the configured ones (``build_rules``) and the pose-based ones.

Each rule kind declares how it is built in its own module (``RULE_KINDS``, see
``rules.protocol``); ``rules.catalog`` finds them. There is no table here.
"""

from __future__ import annotations

from collections.abc import Sequence

from kuzet.config.cameras import CameraConfig
from kuzet.config.timezone import zone as tz_of
from kuzet.core.errors import ConfigError
from kuzet.rules.catalog import rule_kinds
from kuzet.rules.fight import build_fight_rules
from kuzet.rules.protocol import Rule, RuleContext
from kuzet.rules.smoking import build_smoking_rules

__all__ = ["Rule", "build_behaviour_rules", "build_rules"]


def build_rules(camera_id: str, camera_cfg: CameraConfig, frame_shape: Sequence[int]) -> list[Rule]:
    """Build the enabled rules of one camera for a frame size.

    Args:
        camera_id: The camera's id (its key in the config); events carry it.
        camera_cfg: The camera's config (rules and the zones they name).
        frame_shape: (height, width) of the analysed frames (zones rasterise to it).

    Returns:
        One ``Rule`` per enabled rule, in config order.

    Raises:
        ConfigError: A rule names a zone the camera does not have, or its kind
            has a config model but no builder.
        ValueError: The frame shape is not (height, width) > 0.

    Example:
        >>> from kuzet.config.cameras import CameraConfig
        >>> cam = CameraConfig.model_validate({"source": {"url": "a.mp4"}})
        >>> build_rules("cam1", cam, (480, 640))
        []
    """
    if len(frame_shape) < 2 or frame_shape[0] <= 0 or frame_shape[1] <= 0:
        raise ValueError(f"frame_shape must be (height, width) > 0, got {tuple(frame_shape)}")
    shape = (int(frame_shape[0]), int(frame_shape[1]))
    ctx = RuleContext(camera_id, camera_cfg, shape, tz_of(camera_cfg.timezone))
    kinds = rule_kinds()
    rules: list[Rule] = []
    for cfg in camera_cfg.rules:
        if not cfg.enabled:
            continue
        kind = kinds.get(cfg.kind)
        if kind is None:
            raise ConfigError(
                f"cameras.{camera_id}: rule {cfg.id!r} is of kind {cfg.kind!r}, which no "
                f"rule module builds (kinds with a builder: {sorted(kinds)})"
            )
        rules.append(kind.build(ctx, cfg))
    return rules


def build_behaviour_rules(camera_id: str, camera_cfg: CameraConfig, threshold: float) -> list[Rule]:
    """The fight, aggression and smoking rules of a camera, from its own sections.

    These are not in the ``rules`` list: they are settings of the camera's pose-based
    behaviour analysis (``fights``, ``smoking``), one of each per camera, and they run
    on every pose frame rather than only on detection frames.

    Args:
        camera_id: The camera's id.
        camera_cfg: The camera's config.
        threshold: Fight score threshold (``fights.threshold`` or the model's default).

    Example:
        >>> from kuzet.config.cameras import CameraConfig
        >>> cam = CameraConfig.model_validate({"source": {"url": "a"}, "fights": {"enabled": 1}})
        >>> [r.kind.value for r in build_behaviour_rules("cam1", cam, 0.5)]
        ['fight', 'aggression']
    """
    tz = tz_of(camera_cfg.timezone)
    rules: list[Rule] = [*build_fight_rules(camera_id, camera_cfg.fights, threshold, tz)]
    rules.extend(build_smoking_rules(camera_id, camera_cfg.smoking, tz))
    return rules
