"""Line counts: per-minute increments of directional crossings.

A ``LineCount`` is what a counting rule drains after each frame and what travels
camera worker -> supervisor -> store (table ``line_counts``), where increments
for the same (camera, line, minute, class, direction) are added together.

Imports no other kuzet package.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime


class Direction(enum.StrEnum):
    """Crossing direction of a line: ``in`` is from the left of start->end to its right."""

    IN = "in"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class LineCount:
    """``n`` crossings of one line, in one minute, by one class, in one direction.

    Attributes:
        camera_id: Camera the line belongs to.
        line: Line name from the camera's config.
        minute: Start of the UTC minute (second and microsecond are 0).
        label: Class name (``car``, ``bicycle`` ...).
        direction: ``in`` or ``out``.
        n: Number of crossings (an increment, added to what is stored).
    """

    camera_id: str
    line: str
    minute: datetime
    label: str
    direction: Direction
    n: int = 1


def minute_start(wall: float) -> datetime:
    """The UTC minute that contains the UNIX time ``wall``.

    Example:
        >>> minute_start(90.5).isoformat()
        '1970-01-01T00:01:00+00:00'
    """
    return datetime.fromtimestamp(wall - wall % 60, UTC)
