"""Recording: segments remuxed from the camera's packets, their index, clips, retention."""

from kuzet.record.recorder import Recorder, RecordHealth
from kuzet.record.segment import Segment

__all__ = ["RecordHealth", "Recorder", "Segment"]
