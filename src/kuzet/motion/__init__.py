"""Motion detection and region planning (where the detector should look)."""

from kuzet.motion.detector import GLOBAL_CHANGE, MotionDetector
from kuzet.motion.planner import RegionPlanner

__all__ = ["GLOBAL_CHANGE", "MotionDetector", "RegionPlanner"]
