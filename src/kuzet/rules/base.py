"""The ``Rule`` protocol and the registry that builds a camera's rules from config."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kuzet.config.cameras import CameraConfig
from kuzet.config.rules import ZonePresenceRuleConfig
from kuzet.config.timezone import zone as tz_of
from kuzet.core.errors import ConfigError
from kuzet.core.types import Event, EventKind, Observation
from kuzet.rules import analytics
from kuzet.rules.abandoned_object import build_abandoned_object
from kuzet.rules.camera_tamper import build_camera_tamper
from kuzet.rules.fight import build_fight_rules
from kuzet.rules.smoking import build_smoking_rules
from kuzet.rules.zone_presence import ZonePresenceRule


class Rule(Protocol):
    """A small stateful object fed tracked detections, one observation at a time.

    Durations are seconds of frame time (``Observation.ts``); per-track state is
    dropped in ``forget``.
    """

    @property
    def id(self) -> str:
        """The rule id from the config (unique within the camera)."""
        ...

    @property
    def kind(self) -> EventKind:
        """The kind of events the rule raises."""
        ...

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation; returns the OPEN/UPDATE/CLOSE events it causes."""
        ...

    def forget(self, track_id: int) -> None:
        """Drop every piece of state kept for a track that ended."""
        ...

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close every open event (the camera is stopping)."""
        ...


def _zone_presence(
    camera_id: str, cam: CameraConfig, cfg: ZonePresenceRuleConfig, shape: tuple[int, int]
) -> Rule:
    zone = cam.zones.get(cfg.zone)
    if zone is None:
        raise ConfigError(
            f"cameras.{camera_id}: rule {cfg.id!r} names zone {cfg.zone!r}, "
            f"which is not among this camera's zones {sorted(cam.zones)}"
        )
    return ZonePresenceRule(camera_id, cfg, zone, shape, tz_of(cam.timezone))


# (camera id, camera config, rule config, frame shape) -> rule
RuleBuilder = Callable[[str, CameraConfig, Any, tuple[int, int]], Rule]

# kind -> builder; a new rule kind adds one line here.
_BUILDERS: dict[str, RuleBuilder] = {
    "zone_presence": _zone_presence,
    "abandoned_object": build_abandoned_object,
    "camera_tamper": build_camera_tamper,
    "line_crossing": analytics.line_crossing,
    "loitering": analytics.loitering,
    "crowd": analytics.crowd,
    "unusual_crowd": analytics.unusual_crowd,
}


def build_rules(camera_id: str, camera_cfg: CameraConfig, frame_shape: Sequence[int]) -> list[Rule]:
    """Build the enabled rules of one camera for a frame size.

    Args:
        camera_id: The camera's id (its key in the config); events carry it.
        camera_cfg: The camera's config (rules and the zones they name).
        frame_shape: (height, width) of the analysed frames (zones rasterise to it).

    Returns:
        One ``Rule`` per enabled rule, in config order.

    Raises:
        ConfigError: A rule names a zone the camera does not have.
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
    rules: list[Rule] = []
    for cfg in camera_cfg.rules:
        if cfg.enabled:
            rules.append(_BUILDERS[cfg.kind](camera_id, camera_cfg, cfg, shape))
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
