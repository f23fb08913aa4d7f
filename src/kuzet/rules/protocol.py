"""What a rule is (``Rule``) and how a rule kind says it is built (``RuleKind``).

A rule module ends with its registration, next to the rule::

    def build(ctx: RuleContext, cfg: ZonePresenceRuleConfig) -> ZonePresenceRule:
        return ZonePresenceRule(ctx.camera_id, cfg, ctx.zone(cfg.id, cfg.zone), ...)

    RULE_KINDS = (RuleKind(ZonePresenceRuleConfig, build),)

``rules.catalog`` collects ``RULE_KINDS`` from the package's modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Generic, Protocol, TypeVar

from kuzet.config.cameras import CameraConfig
from kuzet.config.geometry import LineConfig, ZoneConfig
from kuzet.config.rules import RuleBase, kind_of
from kuzet.core.errors import ConfigError
from kuzet.core.types import Event, EventKind, Observation


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


@dataclass(frozen=True)
class RuleContext:
    """What a builder knows besides the rule's own settings: its camera and frame size.

    Attributes:
        camera_id: The camera's id; events carry it.
        camera: The camera's config (zones, lines, time zone).
        frame_shape: (height, width) of the analysed frames.
        tz: Time zone of ``active_hours`` (None = the machine's local zone).
    """

    camera_id: str
    camera: CameraConfig
    frame_shape: tuple[int, int]
    tz: tzinfo | None = None

    def zone(self, rule_id: str, name: str) -> ZoneConfig:
        """The camera's zone ``name`` (``ConfigError`` naming the rule when it is missing)."""
        found = self.camera.zones.get(name)
        if found is None:
            raise ConfigError(
                f"cameras.{self.camera_id}: rule {rule_id!r} names zone {name!r}, "
                f"which is not among this camera's zones {sorted(self.camera.zones)}"
            )
        return found

    def line(self, rule_id: str, name: str) -> LineConfig:
        """The camera's line ``name`` (``ConfigError`` naming the rule when it is missing)."""
        found = self.camera.lines.get(name)
        if found is None:
            raise ConfigError(
                f"cameras.{self.camera_id}: rule {rule_id!r} names line {name!r}, "
                f"which is not among this camera's lines {sorted(self.camera.lines)}"
            )
        return found


C = TypeVar("C", bound=RuleBase)


@dataclass(frozen=True)
class RuleKind(Generic[C]):
    """One rule kind: the config model it is set up with and the builder of its rules.

    Attributes:
        config: The kind's model (a ``RuleBase`` subclass in ``kuzet.config.rules``).
        build: ``(context, settings) -> rule``; raises ``ConfigError`` for settings
            that do not fit the camera (e.g. a missing zone).
    """

    config: type[C]
    build: Callable[[RuleContext, C], Rule]

    @property
    def name(self) -> str:
        """The ``kind`` that selects it in YAML."""
        kind = kind_of(self.config)
        if kind is None:
            raise TypeError(f"{self.config} has no literal `kind`")
        return kind
