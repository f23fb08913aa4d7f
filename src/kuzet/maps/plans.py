"""Site plans and where each camera sits, on a plan and on the earth.

A plan placement is in 0-1 coordinates of the plan image (origin top left, like
zones), with a view cone: ``heading`` in degrees clockwise from the image's
up, ``fov`` its opening angle and ``range`` its length as a fraction of the
image's longer side. A geographic placement is WGS 84 latitude and longitude
with the same heading (from north) and fov, and ``range_m`` in metres.
Ranges of every value are checked by the API models; this module stores.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kuzet.maps.images import PlanImage
from kuzet.maps.models import CameraGeoRow, PlanCameraRow, SitePlanRow
from kuzet.store.media import Media


class PlanNotFound(LookupError):
    """No site plan with that id."""


@dataclass(frozen=True, slots=True)
class PlanPlacement:
    """A camera on a plan (see the module docstring for the units)."""

    camera_id: str
    x: float
    y: float
    heading: float = 0.0
    fov: float = 60.0
    range: float = 0.12


@dataclass(frozen=True, slots=True)
class GeoPlacement:
    """A camera on the earth (WGS 84; range in metres)."""

    camera_id: str
    lat: float
    lon: float
    heading: float = 0.0
    fov: float = 60.0
    range_m: float = 40.0


def _now() -> datetime:
    return datetime.now(UTC)


def placement_json(row: PlanCameraRow) -> dict[str, Any]:
    """A plan placement as JSON."""
    return {"camera_id": row.camera_id, "x": row.x, "y": row.y, "heading": row.heading,
            "fov": row.fov, "range": row.range, "updated_by": row.updated_by,
            "updated_at": row.updated_at.isoformat()}  # fmt: skip


def geo_json(row: CameraGeoRow) -> dict[str, Any]:
    """A geographic placement as JSON."""
    return {"camera_id": row.camera_id, "lat": row.lat, "lon": row.lon, "heading": row.heading,
            "fov": row.fov, "range_m": row.range_m, "updated_by": row.updated_by,
            "updated_at": row.updated_at.isoformat()}  # fmt: skip


def plan_json(row: SitePlanRow, cameras: list[PlanCameraRow]) -> dict[str, Any]:
    """A plan with its (already scope-filtered) camera placements as JSON."""
    return {
        "id": row.id, "name": row.name, "site": row.site, "width": row.width,
        "height": row.height, "media_type": row.media_type, "sha256": row.sha256,
        "image_url": f"/api/map/plans/{row.id}/image", "created_by": row.created_by,
        "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
        "cameras": [placement_json(c) for c in cameras],
    }  # fmt: skip


class SitePlans:
    """Site plans (rows + images in the media store) and camera placements.

    Example:
        >>> plans = SitePlans(store.engine, media)  # doctest: +SKIP
        >>> row = plans.create("Hall A", None, prepare_plan_image(data), "admin")  # doctest: +SKIP
        >>> plans.place(row.id, PlanPlacement("gate", 0.2, 0.7), "admin")  # doctest: +SKIP
    """

    def __init__(self, engine: Engine, media: Media) -> None:
        self.engine = engine
        self.media = media
        self._session = sessionmaker(engine, expire_on_commit=False)

    def create(self, name: str, site: str | None, image: PlanImage,
               actor: str | None) -> SitePlanRow:
        """Store the image, then the plan row (the image is removed if the row fails)."""
        plan_id = uuid.uuid4().hex
        ext = "jpg" if image.media_type == "image/jpeg" else "png"
        key = f"plans/{plan_id}.{ext}"
        digest = self.media.put(key, image.data)
        now = _now()
        row = SitePlanRow(id=plan_id, name=name, site=site, media_key=key,
                          media_type=image.media_type, sha256=digest, width=image.width,
                          height=image.height, created_by=actor, created_at=now, updated_at=now)
        try:
            with self._session.begin() as session:
                session.add(row)
        except sa.exc.SQLAlchemyError:
            self.media.delete(key)
            raise
        return row

    def list_plans(self) -> list[SitePlanRow]:
        """Every plan, by name."""
        with self._session() as session:
            return list(session.scalars(sa.select(SitePlanRow).order_by(SitePlanRow.name,
                                                                        SitePlanRow.id)))

    def get(self, plan_id: str) -> SitePlanRow:
        """One plan.

        Raises:
            PlanNotFound: Unknown id.
        """
        with self._session() as session:
            row = session.get(SitePlanRow, plan_id)
        if row is None:
            raise PlanNotFound(f"no site plan {plan_id!r}")
        return row

    def update(self, plan_id: str, changes: dict[str, Any]) -> SitePlanRow:
        """Rename a plan or change its site (keys ``name``, ``site``)."""
        with self._session.begin() as session:
            row = session.get(SitePlanRow, plan_id)
            if row is None:
                raise PlanNotFound(f"no site plan {plan_id!r}")
            for key in ("name", "site"):
                if key in changes:
                    setattr(row, key, changes[key])
            row.updated_at = _now()
        return row

    def delete(self, plan_id: str) -> SitePlanRow:
        """Remove a plan, its placements and its image; returns the removed row."""
        with self._session.begin() as session:
            row = session.get(SitePlanRow, plan_id)
            if row is None:
                raise PlanNotFound(f"no site plan {plan_id!r}")
            session.execute(sa.delete(PlanCameraRow).where(PlanCameraRow.plan_id == plan_id))
            session.delete(row)
        self.media.delete(row.media_key)
        return row

    def image(self, plan_id: str) -> tuple[bytes, str]:
        """The plan's image and its media type.

        Raises:
            PlanNotFound: Unknown plan, or its image is missing from the media store.
        """
        row = self.get(plan_id)
        try:
            return self.media.get(row.media_key), row.media_type
        except KeyError as error:
            raise PlanNotFound(f"the image of site plan {plan_id!r} is missing") from error

    def placements(self) -> dict[str, list[PlanCameraRow]]:
        """Plan id -> its camera placements (every plan that has any)."""
        found: dict[str, list[PlanCameraRow]] = {}
        with self._session() as session:
            query = sa.select(PlanCameraRow).order_by(PlanCameraRow.camera_id)
            for row in session.scalars(query):
                found.setdefault(row.plan_id, []).append(row)
        return found

    def place(self, plan_id: str, placement: PlanPlacement, actor: str | None) -> PlanCameraRow:
        """Put (or move) a camera on a plan."""
        with self._session.begin() as session:
            if session.get(SitePlanRow, plan_id) is None:
                raise PlanNotFound(f"no site plan {plan_id!r}")
            row = session.get(PlanCameraRow, (plan_id, placement.camera_id))
            if row is None:
                row = PlanCameraRow(plan_id=plan_id, camera_id=placement.camera_id)
                session.add(row)
            _assign(row, placement, actor)
        return row

    def unplace(self, plan_id: str, camera_id: str) -> bool:
        """Take a camera off a plan; False when it was not on it."""
        self.get(plan_id)
        with self._session.begin() as session:
            return _deleted(session, sa.delete(PlanCameraRow).where(
                PlanCameraRow.plan_id == plan_id, PlanCameraRow.camera_id == camera_id))

    def geo(self) -> list[CameraGeoRow]:
        """Every camera's geographic placement."""
        with self._session() as session:
            return list(session.scalars(sa.select(CameraGeoRow).order_by(CameraGeoRow.camera_id)))

    def place_geo(self, placement: GeoPlacement, actor: str | None) -> CameraGeoRow:
        """Put (or move) a camera on the geographic map."""
        with self._session.begin() as session:
            row = session.get(CameraGeoRow, placement.camera_id)
            if row is None:
                row = CameraGeoRow(camera_id=placement.camera_id)
                session.add(row)
            _assign(row, placement, actor)
        return row

    def unplace_geo(self, camera_id: str) -> bool:
        """Take a camera off the geographic map; False when it was not on it."""
        with self._session.begin() as session:
            return _deleted(session, sa.delete(CameraGeoRow).where(
                CameraGeoRow.camera_id == camera_id))


def _assign(row: PlanCameraRow | CameraGeoRow, placement: PlanPlacement | GeoPlacement,
            actor: str | None) -> None:
    """Copy the placement's fields (camera id aside) onto ``row``."""
    for item in fields(placement):
        if item.name != "camera_id":
            setattr(row, item.name, getattr(placement, item.name))
    row.updated_by = actor
    row.updated_at = _now()


def _deleted(session: Session, statement: sa.Delete) -> bool:
    result = session.execute(statement)
    return bool(getattr(result, "rowcount", 0))
