"""The tracker interface and what one tracking step returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from kuzet.config.tracking import TrackingConfig
from kuzet.core.types import Detections, FloatArray

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TrackResult:
    """The outcome of one ``Tracker.update`` call.

    Attributes:
        detections: A new ``Detections`` holding only rows that belong to
            confirmed tracks, with ``track_id`` set. Boxes, scores, attrs and
            class names are the detector's (not filter predictions); ``class_id``
            is the track's majority class.
        stationary: (N,) bool aligned with ``detections``: True where the
            track's bottom-centre has stayed put for the configured time.
        ended: Ids of confirmed tracks that ended in this step.
        live_boxes: (K,4) xyxy boxes of every live track (tentative, matched
            and lost), clipped to the frame; where the region planner should look.
    """

    detections: Detections
    stationary: BoolArray
    ended: tuple[int, ...]
    live_boxes: FloatArray


class Tracker(Protocol):
    """Assigns stable ids to detections over time; never mutates its input.

    This is everything the camera pipeline calls; a tracker built by a
    ``TrackerFactory`` and implementing only this runs in it.
    """

    @property
    def live_boxes(self) -> FloatArray:
        """(K,4) xyxy boxes of the live tracks as of the last update."""
        ...

    @property
    def moving_boxes(self) -> FloatArray:
        """(K,4) xyxy boxes of the live tracks that are not stationary.

        The region planner looks there between full-frame passes; stationary
        tracks are left to the periodic full-frame pass. A tracker that does not
        tell still objects apart returns ``live_boxes``.
        """
        ...

    def update(
        self, dets: Detections, ts: float, scanned: FloatArray | None = None
    ) -> TrackResult:
        """Associate one frame's detections with the tracks.

        Args:
            dets: Detections of one frame (not modified).
            ts: The frame's timestamp in seconds.
            scanned: (M,4) xyxy regions the detector scanned on this frame, or
                None for the whole frame. A track outside every region was not
                looked for, so it should coast rather than count as lost; a
                tracker may ignore this.

        Returns:
            The tracked detections, stationary flags and ended track ids.
        """
        ...


# Builds a camera's tracker for its tracking settings and (height, width) frame size.
TrackerFactory = Callable[[TrackingConfig, tuple[int, int]], Tracker]


def empty_boxes() -> FloatArray:
    """A (0,4) float32 box array."""
    return np.zeros((0, 4), np.float32)
