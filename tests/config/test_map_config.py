"""`map:` and sector areas at `config check`: FILE:LINE: key errors, and what loads."""

from __future__ import annotations

import pytest

from kuzet.config.errors import InvalidConfigError
from kuzet.config.load import load_config_text

BASE = "cameras:\n  gate: {source: {url: a.mp4}}\n"
CASES = [
    ("map:\n  center: [91, 76.9]\n", "map.center[0]", 4, "less than or equal to 90"),
    ("map:\n  center: [43.2, -190]\n", "map.center[1]", 4, "greater than or equal to -180"),
    ("map:\n  raster: {image: a.png, bounds: [[44, 76], [43, 77]]}\n", "map.raster", 4,
     "south < north"),
    ("map:\n  raster: {image: a.png}\n", "map.raster.bounds", 4, "required"),
    ("map:\n  geojson: city.geojson\n  max_geojson_mb: 500\n", "map.max_geojson_mb", 5,
     "less than or equal to 200"),
    ("map:\n  tiles: https://tile.example/{z}/{x}/{y}.png\n", "map.tiles", 4, "unknown key"),
    ("response:\n  sectors:\n    north:\n      cameras: [gate]\n      area: [[43, 76], [43, 77]]\n",
     "response.sectors.north.area", 7, "at least 3"),
    ("response:\n  sectors:\n    north:\n      cameras: [gate]\n"
     "      area: [[43, 76], [95, 77], [44, 77]]\n",
     "response.sectors.north.area[1][0]", 7, "less than or equal to 90"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "path", "line", "fragment"), CASES)
def test_errors(text: str, path: str, line: int, fragment: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        load_config_text(BASE + text, "t.yml")
    issues = caught.value.errors
    assert [(i.path, i.line) for i in issues] == [(path, line)], issues
    assert fragment in issues[0].message, issues[0].message


def test_map_and_sector_area_load() -> None:
    text = BASE + (
        "map:\n  geojson: city.geojson\n"
        "  raster: {image: ortho.jpg, bounds: [[43.2, 76.8], [43.3, 77.0]], opacity: 0.6}\n"
        "  center: [43.25, 76.9]\n  zoom: 14\n"
        "response:\n  sectors:\n    north:\n      name: North\n      cameras: [gate]\n"
        "      area: [[43.24, 76.90], [43.24, 76.95], [43.28, 76.95]]\n")
    config = load_config_text(text, "t.yml")
    assert config.map.configured and config.map.raster is not None
    assert config.map.raster.bounds == ((43.2, 76.8), (43.3, 77.0))
    assert config.response.sectors["north"].area == [(43.24, 76.90), (43.24, 76.95),
                                                     (43.28, 76.95)]
    assert not load_config_text(BASE, "t.yml").map.configured
