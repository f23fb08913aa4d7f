"""The deployment's offline map data: a GeoJSON file and/or a georeferenced image.

Files named by ``map`` in the config are read when the console first asks for
them and kept while unchanged (size and modification time). A GeoJSON file is
checked before it is served: within ``map.max_geojson_mb``, valid JSON, a
FeatureCollection, Feature or geometry, every position a [longitude, latitude]
within range; its bounds are computed on the way. A raster is checked as an
image (format and size from its header). A file that fails is reported to the
page, which shows the reason instead of a map; nothing else stops working.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kuzet.config.map import MapConfig
from kuzet.render.decode import ImageLimits, ImageRejected, check_image

RASTER_LIMITS = ImageLimits(max_bytes=64 * 1_048_576, max_pixels=120_000_000, max_side=0)
MAX_DEPTH = 64  # nesting of coordinate arrays (a MultiPolygon is 4 deep)
GEOMETRY_TYPES = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                            "MultiPolygon", "GeometryCollection"})  # fmt: skip
RASTER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp",
                "BMP": "image/bmp"}  # fmt: skip


class MapDataError(ValueError):
    """A map file that cannot be served; the message names the file and the reason."""


Bounds = tuple[float, float, float, float]  # south, west, north, east


@dataclass(frozen=True, slots=True)
class GeoJsonFile:
    """A checked GeoJSON file.

    Attributes:
        data: The file's bytes, served as they are.
        features: Number of features (1 for a bare geometry).
        bounds: (south, west, north, east) of every position, None when it has none.
    """

    data: bytes
    features: int
    bounds: Bounds | None


def _positions(coords: Any, depth: int = 0) -> Iterator[tuple[float, float]]:
    """Every (lon, lat) in a GeoJSON coordinates array."""
    if depth > MAX_DEPTH:
        raise MapDataError("coordinates are nested too deeply")
    if not isinstance(coords, list):
        raise MapDataError(f"coordinates must be arrays, found {type(coords).__name__}")
    if coords and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords):
        if len(coords) < 2:
            raise MapDataError(f"a position needs [longitude, latitude], found {coords}")
        lon, lat = float(coords[0]), float(coords[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise MapDataError(f"position {coords[:2]} is out of range: GeoJSON is "
                               "[longitude -180..180, latitude -90..90] in WGS 84")
        yield lon, lat
        return
    for item in coords:
        yield from _positions(item, depth + 1)


def _geometries(obj: Any) -> Iterator[dict[str, Any]]:
    """The geometries of a GeoJSON object (FeatureCollection, Feature or geometry)."""
    if not isinstance(obj, dict):
        raise MapDataError("a GeoJSON object must be a JSON object")
    kind = obj.get("type")
    if kind == "FeatureCollection":
        if not isinstance(obj.get("features"), list):
            raise MapDataError("a FeatureCollection needs a `features` array")
        for feature in obj["features"]:
            yield from _geometries(feature)
    elif kind == "Feature":
        if obj.get("geometry") is not None:
            yield from _geometries(obj["geometry"])
    elif kind == "GeometryCollection":
        for geometry in obj.get("geometries") or []:
            yield from _geometries(geometry)
    elif kind in GEOMETRY_TYPES:
        yield obj
    else:
        raise MapDataError(f"unknown GeoJSON type {kind!r}")


def check_geojson(data: bytes) -> GeoJsonFile:
    """Parse and check GeoJSON bytes.

    Raises:
        MapDataError: Not JSON, not GeoJSON, or a position out of range.

    Example:
        >>> check_geojson(b'{"type": "Point", "coordinates": [76.9, 43.2]}').bounds
        (43.2, 76.9, 43.2, 76.9)
    """
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise MapDataError(f"not JSON: {error}") from error
    south = west = float("inf")
    north = east = float("-inf")
    for geometry in _geometries(obj):
        for lon, lat in _positions(geometry.get("coordinates", [])):
            south, north = min(south, lat), max(north, lat)
            west, east = min(west, lon), max(east, lon)
    features = len(obj["features"]) if obj.get("type") == "FeatureCollection" else 1
    bounds = None if south == float("inf") else (south, west, north, east)
    return GeoJsonFile(data, features, bounds)


class MapData:
    """The files of ``map``, checked and cached (thread-safe).

    Args:
        config: The ``map`` section.
        base_dir: Folder that relative paths are taken from (the config file's).
    """

    def __init__(self, config: MapConfig, base_dir: Path | None = None) -> None:
        self.config = config
        self.base_dir = base_dir
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[tuple[int, int], Any]] = {}

    def _path(self, name: str) -> Path:
        path = Path(name).expanduser()
        return path if path.is_absolute() or self.base_dir is None else self.base_dir / path

    def _read(self, name: str, limit: int, check: Any) -> Any:
        """``check(bytes)`` of file ``name``, cached while its size and mtime hold."""
        path = self._path(name)
        try:
            stat = path.stat()
        except OSError as error:
            raise MapDataError(f"{path}: cannot be read ({error.strerror})") from error
        if stat.st_size > limit:
            raise MapDataError(f"{path}: {stat.st_size / 1_048_576:.1f} MiB is over the "
                               f"limit of {limit / 1_048_576:g} MiB")
        stamp = (stat.st_size, stat.st_mtime_ns)
        with self._lock:
            cached = self._cache.get(name)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            try:
                value = check(path.read_bytes())
            except (MapDataError, ImageRejected) as error:
                raise MapDataError(f"{path}: {error}") from error
            except OSError as error:
                raise MapDataError(f"{path}: cannot be read ({error.strerror})") from error
            self._cache[name] = (stamp, value)
            return value

    def geojson(self) -> GeoJsonFile:
        """The checked GeoJSON file.

        Raises:
            MapDataError: None configured, or it cannot be served (the reason says why).
        """
        if self.config.geojson is None:
            raise MapDataError("no GeoJSON file is configured (map.geojson)")
        limit = int(self.config.max_geojson_mb * 1_048_576)
        result: GeoJsonFile = self._read(self.config.geojson, limit, check_geojson)
        return result

    def raster(self) -> tuple[bytes, str]:
        """The raster image and its media type.

        Raises:
            MapDataError: None configured, or it is not an accepted image.
        """
        if self.config.raster is None:
            raise MapDataError("no raster image is configured (map.raster)")

        def check(data: bytes) -> tuple[bytes, str]:
            return data, RASTER_TYPES[check_image(data, RASTER_LIMITS).format]

        result: tuple[bytes, str] = self._read(self.config.raster.image,
                                               RASTER_LIMITS.max_bytes, check)
        return result

    def summary(self) -> dict[str, Any]:
        """What the page needs to draw the base map, with the reason for any file that fails."""
        errors: list[str] = []
        out: dict[str, Any] = {"configured": self.config.configured, "geojson": None,
                               "raster": None, "center": self.config.center,
                               "zoom": self.config.zoom}  # fmt: skip
        if self.config.geojson is not None:
            try:
                checked = self.geojson()
                out["geojson"] = {"url": "/api/map/geo/base.geojson",
                                  "features": checked.features, "bounds": checked.bounds}
            except MapDataError as error:
                errors.append(str(error))
        raster = self.config.raster
        if raster is not None:
            try:
                self.raster()
                out["raster"] = {"url": "/api/map/geo/raster", "bounds": raster.bounds,
                                 "opacity": raster.opacity}
            except MapDataError as error:
                errors.append(str(error))
        out["errors"] = errors
        return out
