"""Rules: one module per rule kind; ``Rule.update(observation) -> events``."""

from kuzet.rules.base import Rule, build_rules
from kuzet.rules.zone_presence import ZonePresenceRule

__all__ = ["Rule", "ZonePresenceRule", "build_rules"]
