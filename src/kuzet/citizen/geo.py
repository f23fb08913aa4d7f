"""Distances on the Earth and the cameras near a reported place."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class CameraPlace:
    """A camera with a position (from the config's ``lat``/``lon``)."""

    camera_id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Nearby:
    """A camera suggested for a report, and how far it is from the place."""

    camera_id: str
    name: str
    distance_m: float


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine).

    Example:
        >>> round(distance_m(43.238, 76.945, 43.238, 76.946))
        81
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearby(cameras: Iterable[CameraPlace], lat: float, lon: float, radius_m: float,
           limit: int) -> list[Nearby]:
    """Cameras within ``radius_m`` of (``lat``, ``lon``), nearest first, at most ``limit``."""
    found = [Nearby(c.camera_id, c.name, round(distance_m(lat, lon, c.lat, c.lon), 1))
             for c in cameras]
    found = [n for n in found if n.distance_m <= radius_m]
    return sorted(found, key=lambda n: (n.distance_m, n.camera_id))[:limit]
