"""Object tracking: the ``Tracker`` protocol and the ByteTrack-class tracker."""

from kuzet.track.base import Tracker, TrackerFactory, TrackResult
from kuzet.track.bytetrack import ByteTracker

__all__ = ["ByteTracker", "TrackResult", "Tracker", "TrackerFactory"]
