"""Builders of the analytics rules (lines, loitering, crowds) and their extra hooks.

Besides ``Rule``, some rules offer optional capabilities the pipeline uses:
``CountingRule.drain_counts()`` (line counts to export) and
``StatefulRule.use_state_dir()/save_state()`` (a baseline kept on disk).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

from kuzet.config.cameras import CameraConfig
from kuzet.config.geometry import ZoneConfig
from kuzet.config.rules import (
    CrowdRuleConfig,
    LineCrossingRuleConfig,
    LoiteringRuleConfig,
    UnusualCrowdRuleConfig,
)
from kuzet.config.timezone import zone
from kuzet.core.counts import LineCount
from kuzet.core.errors import ConfigError
from kuzet.rules.crowd import CrowdRule
from kuzet.rules.line_crossing import LineCrossingRule
from kuzet.rules.loitering import LoiteringRule
from kuzet.rules.unusual_crowd import UnusualCrowdRule


@runtime_checkable
class CountingRule(Protocol):
    """A rule that counts (e.g. line crossings) and hands the increments over."""

    def drain_counts(self) -> list[LineCount]:
        """Increments since the last call."""
        ...


@runtime_checkable
class StatefulRule(Protocol):
    """A rule with state that outlives the process (e.g. a learned baseline)."""

    def use_state_dir(self, state_dir: Path) -> None:
        """Load state from, and later save it to, ``state_dir``."""
        ...

    def save_state(self) -> None:
        """Write the state now."""
        ...


def drain_counts(rules: Iterable[object]) -> list[LineCount]:
    """Every count increment of the counting rules among ``rules``."""
    return [c for rule in rules if isinstance(rule, CountingRule) for c in rule.drain_counts()]


def use_state_dir(rules: Iterable[object], state_dir: Path | None) -> None:
    """Give every stateful rule its state dir (no-op when None)."""
    if state_dir is None:
        return
    for rule in rules:
        if isinstance(rule, StatefulRule):
            rule.use_state_dir(state_dir)


def _zone(camera_id: str, cam: CameraConfig, rule_id: str, name: str) -> ZoneConfig:
    found = cam.zones.get(name)
    if found is None:
        raise ConfigError(
            f"cameras.{camera_id}: rule {rule_id!r} names zone {name!r}, "
            f"which is not among this camera's zones {sorted(cam.zones)}"
        )
    return found


def line_crossing(
    camera_id: str, cam: CameraConfig, cfg: LineCrossingRuleConfig, shape: tuple[int, int]
) -> LineCrossingRule:
    """Build a ``line_crossing`` rule (``ConfigError`` when its line is missing)."""
    line = cam.lines.get(cfg.line)
    if line is None:
        raise ConfigError(
            f"cameras.{camera_id}: rule {cfg.id!r} names line {cfg.line!r}, "
            f"which is not among this camera's lines {sorted(cam.lines)}"
        )
    return LineCrossingRule(camera_id, cfg, line, shape, zone(cam.timezone))


def loitering(
    camera_id: str, cam: CameraConfig, cfg: LoiteringRuleConfig, shape: tuple[int, int]
) -> LoiteringRule:
    """Build a ``loitering`` rule."""
    area = _zone(camera_id, cam, cfg.id, cfg.zone)
    return LoiteringRule(camera_id, cfg, area, shape, zone(cam.timezone))


def crowd(
    camera_id: str, cam: CameraConfig, cfg: CrowdRuleConfig, shape: tuple[int, int]
) -> CrowdRule:
    """Build a ``crowd`` rule (whole frame when it names no zone)."""
    area = None if cfg.zone is None else _zone(camera_id, cam, cfg.id, cfg.zone)
    return CrowdRule(camera_id, cfg, area, shape, zone(cam.timezone))


def unusual_crowd(
    camera_id: str, cam: CameraConfig, cfg: UnusualCrowdRuleConfig, shape: tuple[int, int]
) -> UnusualCrowdRule:
    """Build an ``unusual_crowd`` rule (whole frame when it names no zone)."""
    area = None if cfg.zone is None else _zone(camera_id, cam, cfg.id, cfg.zone)
    return UnusualCrowdRule(camera_id, cfg, area, shape, zone(cam.timezone))
