"""The geographic map (``map``): data the deployment provides, since no tile server is assumed.

A control centre is often offline, so the console's map draws only what this
section names: a GeoJSON file of streets, districts or buildings (WGS 84, as
the city's GIS exports it) and/or a raster image (a scanned city plan, an
orthophoto) with the latitude and longitude of its corners. With neither, the
map page shows its site plans and an empty geographic view that says so.
Files are read by the server when the page first asks for them (no I/O here).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from kuzet.config.base import KuzetModel

Latitude = Annotated[float, Field(ge=-90, le=90, description="Latitude, degrees (WGS 84).")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="Longitude, degrees (WGS 84).")]
LatLon = Annotated[
    tuple[Latitude, Longitude],
    Field(description="A point [latitude, longitude] in degrees (WGS 84), latitude first."),
]
MAX_GEOJSON_MB = 200.0


class RasterConfig(KuzetModel):
    """A georeferenced image: north up, its corners at ``bounds`` (equirectangular)."""

    image: str = Field(min_length=1, description="Path of a PNG, JPEG or WebP image.")
    bounds: tuple[LatLon, LatLon] = Field(
        description="[[south, west], [north, east]]: latitude and longitude of the image's "
        "bottom-left and top-right corners."
    )
    opacity: float = Field(default=1.0, ge=0, le=1, description="Opacity of the image, 0-1.")

    @model_validator(mode="after")
    def _ordered(self) -> RasterConfig:
        (south, west), (north, east) = self.bounds
        if not (south < north and west < east):
            raise ValueError(
                f"bounds must be [[south, west], [north, east]] with south < north and "
                f"west < east; got [[{south}, {west}], [{north}, {east}]]"
            )
        return self


class MapConfig(KuzetModel):
    """Offline map data for the console's geographic view (``/map``)."""

    geojson: str | None = Field(
        default=None,
        description="Path of a GeoJSON file (FeatureCollection, WGS 84 longitude/latitude) "
        "of streets, districts or buildings, drawn as the base map; null = none.",
    )
    max_geojson_mb: float = Field(
        default=20.0, gt=0, le=MAX_GEOJSON_MB,
        description="Largest GeoJSON file read, in MiB (a larger one is reported, not read).",
    )  # fmt: skip
    raster: RasterConfig | None = Field(
        default=None, description="A georeferenced image drawn under the GeoJSON; null = none."
    )
    center: LatLon | None = Field(
        default=None,
        description="Where the view opens, [latitude, longitude]; null = fit the data and "
        "the placed cameras.",
    )
    zoom: int = Field(default=15, ge=1, le=22, description="Zoom level the view opens at.")

    @property
    def configured(self) -> bool:
        """True when the deployment gave any map data."""
        return self.geojson is not None or self.raster is not None
