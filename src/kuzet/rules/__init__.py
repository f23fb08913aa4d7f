"""Rules: one module per rule kind; ``Rule.update(observation) -> events``."""

from kuzet.rules.base import Rule, build_behaviour_rules, build_rules
from kuzet.rules.crowd import CrowdRule
from kuzet.rules.line_crossing import LineCrossingRule
from kuzet.rules.loitering import LoiteringRule
from kuzet.rules.unusual_crowd import UnusualCrowdRule
from kuzet.rules.zone_presence import ZonePresenceRule

__all__ = [
    "CrowdRule",
    "LineCrossingRule",
    "LoiteringRule",
    "Rule",
    "UnusualCrowdRule",
    "ZonePresenceRule",
    "build_behaviour_rules",
    "build_rules",
]
