"""Tables of site plans and camera placements (migration ``r0017_site_plans``).

``site_plans`` holds one uploaded floor plan or venue image per row (the image
itself is in the media store under ``media_key``); ``site_plan_cameras`` where
each camera sits on a plan, in 0-1 coordinates of the image, with its view cone;
``camera_geo`` where a camera sits on the earth (one place per camera).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.models import Base


class SitePlanRow(Base):
    """One site plan: a floor plan or venue image an admin uploaded."""

    __tablename__ = "site_plans"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    site: Mapped[str | None] = mapped_column(sa.String(128))
    media_key: Mapped[str] = mapped_column(sa.String(256))
    media_type: Mapped[str] = mapped_column(sa.String(32))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    created_by: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PlanCameraRow(Base):
    """A camera on a plan: position (0-1 of the image, origin top left) and view cone."""

    __tablename__ = "site_plan_cameras"

    plan_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("site_plans.id", ondelete="CASCADE"), primary_key=True
    )
    camera_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    x: Mapped[float] = mapped_column(sa.Float)
    y: Mapped[float] = mapped_column(sa.Float)
    heading: Mapped[float] = mapped_column(sa.Float)
    fov: Mapped[float] = mapped_column(sa.Float)
    range: Mapped[float] = mapped_column(sa.Float)
    updated_by: Mapped[str | None] = mapped_column(sa.String(128))
    updated_at: Mapped[datetime]


class CameraGeoRow(Base):
    """A camera on the earth: WGS 84 position and view cone (range in metres)."""

    __tablename__ = "camera_geo"

    camera_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)
    heading: Mapped[float] = mapped_column(sa.Float)
    fov: Mapped[float] = mapped_column(sa.Float)
    range_m: Mapped[float] = mapped_column(sa.Float)
    updated_by: Mapped[str | None] = mapped_column(sa.String(128))
    updated_at: Mapped[datetime]
