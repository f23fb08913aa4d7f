"""Routing sectors (``response.sectors``): named groups of cameras and sites.

An alarm carries the sector of its camera; operators on shift in that sector
see it in their queue (see ``docs/response.md``, Routing). The cross-checks
against the camera list (unknown camera or site, a camera in two sectors) run
in the root model, which knows the cameras.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import Field

from kuzet.config.base import KuzetModel
from kuzet.config.errors import Loc
from kuzet.config.map import LatLon

SECTOR_ID = r"^[A-Za-z0-9_.-]+$"


class SectorConfig(KuzetModel):
    """One sector: the cameras listed and every camera of the sites listed."""

    name: str | None = Field(default=None, max_length=128, description="Display name.")
    cameras: list[str] = Field(default_factory=list, description="Camera ids of the sector.")
    sites: list[str] = Field(
        default_factory=list, description="Sites (a camera's `site`) whose cameras belong here."
    )
    area: list[LatLon] | None = Field(
        default=None, min_length=3, max_length=5000,
        description="The sector's outline on the map: [latitude, longitude] vertices "
        "(at least 3); null = the sector is not drawn.",
    )  # fmt: skip


def sector_of_cameras(
    sectors: Mapping[str, SectorConfig], camera_sites: Mapping[str, str | None]
) -> dict[str, str]:
    """Camera id -> sector id, for every camera that is in a sector.

    Args:
        sectors: ``response.sectors``.
        camera_sites: Camera id -> its site (None without one).

    Example:
        >>> sector_of_cameras({"n": SectorConfig(sites=["market"])}, {"c1": "market", "c2": None})
        {'c1': 'n'}
    """
    found: dict[str, str] = {}
    for sector_id, sector in sectors.items():
        for camera, site in camera_sites.items():
            if camera in sector.cameras or (site is not None and site in sector.sites):
                found.setdefault(camera, sector_id)
    return found


def sector_issues(
    sectors: Mapping[str, SectorConfig], camera_sites: Mapping[str, str | None]
) -> list[tuple[Loc, str]]:
    """Unknown cameras and sites, bad sector ids, and cameras claimed by two sectors."""
    issues: list[tuple[Loc, str]] = []
    sites = {s for s in camera_sites.values() if s is not None}
    owner: dict[str, str] = {}
    for sector_id, sector in sectors.items():
        base: Loc = ("response", "sectors", sector_id)
        if not re.match(SECTOR_ID, sector_id):
            issues.append((base, f"sector id {sector_id!r} may use only letters, digits, _ . -"))
        for camera in sector.cameras:
            if camera not in camera_sites:
                issues.append(((*base, "cameras"), f"unknown camera {camera!r}"))
        for name in sector.sites:
            if name not in sites:
                issues.append(((*base, "sites"), f"no camera has site {name!r}"))
        for camera, site in camera_sites.items():
            if camera in sector.cameras or (site is not None and site in sector.sites):
                if camera in owner and owner[camera] != sector_id:
                    issues.append((base, f"camera {camera!r} is already in sector "
                                         f"{owner[camera]!r}; a camera belongs to one sector"))
                owner.setdefault(camera, sector_id)
    return issues
