"""The deployment's offline map files: GeoJSON checked and cached, rasters checked."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from kuzet.config.map import MapConfig, RasterConfig
from kuzet.maps.geodata import MapData, MapDataError, check_geojson


def _line(*coords: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": list(coords)}}


@pytest.mark.parametrize(
    ("obj", "features", "bounds"),
    [
        ({"type": "FeatureCollection", "features": [_line([76.9, 43.2], [77.0, 43.3])]},
         1, (43.2, 76.9, 43.3, 77.0)),
        ({"type": "FeatureCollection", "features": []}, 0, None),
        ({"type": "MultiPolygon", "coordinates": [[[[1, 2], [3, 4], [5, -6], [1, 2]]]]},
         1, (-6.0, 1.0, 4.0, 5.0)),
        ({"type": "Feature", "geometry": None, "properties": {"note": "no place"}}, 1, None),
        ({"type": "GeometryCollection", "geometries": [
            {"type": "Point", "coordinates": [-179.5, -89.0]}]}, 1, (-89.0, -179.5, -89.0, -179.5)),
    ],
    ids=["collection", "empty", "multipolygon", "no-geometry", "geometry-collection"],
)
def test_valid_geojson(obj: dict[str, Any], features: int,
                       bounds: tuple[float, ...] | None) -> None:
    checked = check_geojson(json.dumps(obj).encode())
    assert (checked.features, checked.bounds) == (features, bounds)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<kml/>", "not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"type": "FeatureCollection"}', "needs a `features` array"),
        (b'{"type": "Point", "coordinates": [43.2, 96.9]}', "out of range"),
        (b'{"type": "Point", "coordinates": [200, 10]}', "out of range"),
        (b'{"type": "Point", "coordinates": [5]}', "needs [longitude, latitude]"),
        (b'{"type": "LineString", "coordinates": "1,2"}', "must be arrays"),
        (b'{"type": "Topology"}', "unknown GeoJSON type"),
        (b"[" * 100_000, "not JSON"),
    ],
    ids=["xml", "array", "no-features", "lat", "lon", "short", "string", "topojson", "deep"],
)
def test_invalid_geojson_says_why(data: bytes, words: str) -> None:
    with pytest.raises(MapDataError) as caught:
        check_geojson(data)
    assert words in str(caught.value)


def test_files_are_relative_to_the_config_cached_and_re_read_when_changed(tmp_path: Path) -> None:
    path = tmp_path / "city.geojson"
    path.write_text(json.dumps({"type": "Point", "coordinates": [76.9, 43.2]}))
    data = MapData(MapConfig(geojson="city.geojson"), tmp_path)
    first = data.geojson()
    assert data.geojson() is first
    path.write_text(json.dumps({"type": "Point", "coordinates": [71.4, 51.1]}))
    os.utime(path, ns=(1, 1))  # a different modification time, whatever the clock
    assert data.geojson().bounds == (51.1, 71.4, 51.1, 71.4)


def test_limits_missing_files_and_the_summary(tmp_path: Path) -> None:
    big = tmp_path / "big.geojson"
    big.write_bytes(b" " * (2 * 1_048_576))
    ok, png = cv2.imencode(".png", np.zeros((30, 40, 3), np.uint8))
    assert ok
    (tmp_path / "ortho.png").write_bytes(png.tobytes())
    raster = RasterConfig(image="ortho.png", bounds=((43.0, 76.0), (44.0, 77.0)), opacity=0.5)
    data = MapData(MapConfig(geojson=str(big), max_geojson_mb=1, raster=raster), tmp_path)
    with pytest.raises(MapDataError, match="over the limit of 1 MiB"):
        data.geojson()
    assert data.raster() == (png.tobytes(), "image/png")
    summary = data.summary()
    assert summary["geojson"] is None and "over the limit" in summary["errors"][0]
    assert summary["raster"]["opacity"] == 0.5
    gone = MapData(MapConfig(raster=raster.model_copy(update={"image": "gone.png"})), tmp_path)
    assert "cannot be read" in gone.summary()["errors"][0]
    (tmp_path / "fake.png").write_text("not an image")
    fake = MapData(MapConfig(raster=raster.model_copy(update={"image": "fake.png"})), tmp_path)
    with pytest.raises(MapDataError, match="not a JPEG, PNG"):
        fake.raster()
    assert MapData(MapConfig()).summary() == {"configured": False, "geojson": None,
                                              "raster": None, "center": None, "zoom": 15,
                                              "errors": []}
