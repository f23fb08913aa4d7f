"""The map's API: site plan uploads (real decoding, real media store, real SQLite file),
camera placements on plans and on the earth, the offline base map and scope.

Bad inputs of issue 17: a plan that is not an image, a 50 MB upload, coordinates
out of range: each a 4xx naming the field, and nothing stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from api_factories import bearer, make_user, sign_in
from fastapi.testclient import TestClient

from image_bombs import bomb_png
from kuzet.api import AppDeps, create_app
from kuzet.config.map import MapConfig, RasterConfig
from kuzet.config.response import ResponseConfig
from kuzet.config.sectors import SectorConfig
from kuzet.maps.geodata import MapData
from kuzet.privacy.audit import AuditQuery

MiB = 1024 * 1024


def _png(width: int = 320, height: int = 200) -> bytes:
    image = np.full((height, width, 3), 240, np.uint8)
    cv2.rectangle(image, (20, 20), (width - 20, height - 20), (60, 60, 60), 4)
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def _upload(client: TestClient, data: bytes, name: str = "Hall A",
            filename: str = "plan.png", ctype: str = "image/png") -> Any:
    return client.post("/api/map/plans", data={"name": name, "site": "HQ"},
                       files={"image": (filename, data, ctype)})


def _stored(deps: AppDeps) -> list[Path]:
    folder = deps.media.root / "plans"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_upload_stores_a_re_encoded_plan_and_serves_it(client: TestClient, deps: AppDeps) -> None:
    resp = _upload(client, _png(320, 200))
    assert resp.status_code == 201, resp.text
    plan = resp.json()
    assert (plan["width"], plan["height"], plan["site"]) == (320, 200, "HQ")
    image = client.get(plan["image_url"])
    assert image.headers["content-type"] == "image/png"
    decoded = cv2.imdecode(np.frombuffer(image.content, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (200, 320, 3)
    assert [p.name for p in _stored(deps)] == [f"{plan['id']}.png"]
    assert [p["id"] for p in client.get("/api/map/plans").json()["items"]] == [plan["id"]]
    records = deps.audit.list(AuditQuery(action="map.plan.create")).items
    assert [r.target for r in records] == [plan["id"]]


def _fifty_mb() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * (50 * MiB)


@pytest.mark.parametrize(
    ("make", "status", "words"),
    [
        (lambda: b"just some text, not an image", 422, "not a JPEG, PNG, WebP or BMP"),
        (lambda: b"%PDF-1.7\n" + b"0" * 5000, 422, "not a JPEG, PNG, WebP or BMP"),
        (lambda: _png()[:60], 422, "image"),  # a truncated PNG
        (lambda: bomb_png(20000, 20000), 422, "megapixels"),  # 400 MP declared, ~1 MB sent
        (_fifty_mb, 413, "limit"),
    ],
    ids=["text", "pdf", "truncated", "pixel-bomb", "50MB"],
)
def test_bad_plan_uploads_name_the_field_and_store_nothing(
    client: TestClient, deps: AppDeps, make: Any, status: int, words: str
) -> None:
    resp = _upload(client, make())
    assert resp.status_code == status, resp.text[:300]
    [problem] = resp.json()["detail"]
    assert problem["loc"] == ["body", "image"]
    assert words in problem["msg"]
    assert _stored(deps) == []
    assert client.get("/api/map/plans").json()["items"] == []


def test_a_plan_needs_a_name(client: TestClient, deps: AppDeps) -> None:
    resp = _upload(client, _png(), name="")
    assert resp.status_code == 422
    assert ["body", "name"] in [d["loc"] for d in resp.json()["detail"]]
    assert _stored(deps) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lat": 91.0, "lon": 76.9}, "lat"),
        ({"lat": -90.5, "lon": 76.9}, "lat"),
        ({"lat": 43.2, "lon": 180.01}, "lon"),
        ({"lat": 43.2, "lon": -181}, "lon"),
        ({"lat": 43.2, "lon": 76.9, "fov": 0}, "fov"),
        ({"lat": 43.2, "lon": 76.9, "range_m": -5}, "range_m"),
        ({"lat": "north", "lon": 76.9}, "lat"),
        ({"lon": 76.9}, "lat"),
    ],
)
def test_out_of_range_coordinates_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    resp = client.put("/api/map/cameras/gate/geo", json=body)
    assert resp.status_code == 422, resp.text
    assert ["body", field] in [d["loc"] for d in resp.json()["detail"]]
    cameras = client.get("/api/map/cameras").json()["items"]
    assert all(c["geo"] is None for c in cameras)


def test_geo_placement_is_stored_and_listed(client: TestClient, deps: AppDeps) -> None:
    body = {"lat": 43.238, "lon": 76.945, "heading": 90, "fov": 70, "range_m": 60}
    resp = client.put("/api/map/cameras/gate/geo", json=body)
    assert resp.status_code == 200, resp.text
    gate = next(c for c in client.get("/api/map/cameras").json()["items"] if c["id"] == "gate")
    assert {k: gate["geo"][k] for k in body} == body
    assert gate["health"]["state"] == "online" and gate["live_url"] == "/cameras/gate/live"
    assert client.put("/api/map/cameras/nope/geo", json=body).status_code == 404
    assert client.delete("/api/map/cameras/gate/geo").status_code == 204
    assert client.delete("/api/map/cameras/gate/geo").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [({"x": 1.5, "y": 0.5}, "x"), ({"x": 0.5, "y": -0.1}, "y"),
     ({"x": 0.5, "y": 0.5, "heading": 400}, "heading"),
     ({"x": 0.5, "y": 0.5, "range": 0}, "range"),
     ({"x": 0.5, "y": 0.5, "colour": "red"}, "colour")],
)
def test_plan_placement_out_of_range_is_422(client: TestClient, body: dict[str, Any],
                                            field: str) -> None:
    plan = _upload(client, _png()).json()
    resp = client.put(f"/api/map/plans/{plan['id']}/cameras/gate", json=body)
    assert resp.status_code == 422
    assert ["body", field] in [d["loc"] for d in resp.json()["detail"]]
    assert client.get(f"/api/map/plans/{plan['id']}").json()["cameras"] == []


def test_placing_moving_and_removing_cameras_on_a_plan(client: TestClient) -> None:
    plan = _upload(client, _png()).json()
    url = f"/api/map/plans/{plan['id']}/cameras"
    assert client.put(f"{url}/gate", json={"x": 0.2, "y": 0.8, "heading": 45}).status_code == 200
    assert client.put(f"{url}/gate", json={"x": 0.3, "y": 0.7, "heading": 90}).status_code == 200
    assert client.put(f"{url}/hall", json={"x": 0.9, "y": 0.1}).status_code == 200
    got = client.get(f"/api/map/plans/{plan['id']}").json()["cameras"]
    assert [(c["camera_id"], c["x"], c["heading"]) for c in got] == [("gate", 0.3, 90),
                                                                      ("hall", 0.9, 0)]
    assert client.put(f"{url}/ghost", json={"x": 0.1, "y": 0.1}).status_code == 404
    assert client.put("/api/map/plans/nope/cameras/gate", json={"x": 0, "y": 0}).status_code == 404
    assert client.delete(f"{url}/hall").status_code == 204
    assert client.patch(f"/api/map/plans/{plan['id']}", json={"name": "Hall B"}).json()[
        "name"] == "Hall B"
    assert client.delete(f"/api/map/plans/{plan['id']}").status_code == 204
    assert client.get(f"/api/map/plans/{plan['id']}").status_code == 404


def test_roles_and_camera_scope(deps: AppDeps) -> None:
    make_user(deps, "olga", "operator", cameras=["gate"])
    make_user(deps, "ana", "analyst")
    make_user(deps, "aud", "auditor")
    with TestClient(create_app(deps)) as admin:
        sign_in(admin)
        both = _upload(admin, _png(), name="Both").json()
        hall_only = _upload(admin, _png(), name="Hall only").json()
        admin.put(f"/api/map/plans/{both['id']}/cameras/gate", json={"x": 0.1, "y": 0.1})
        admin.put(f"/api/map/plans/{both['id']}/cameras/hall", json={"x": 0.9, "y": 0.9})
        admin.put(f"/api/map/plans/{hall_only['id']}/cameras/hall", json={"x": 0.5, "y": 0.5})
        admin.put("/api/map/cameras/hall/geo", json={"lat": 1, "lon": 2})
    with TestClient(create_app(deps), follow_redirects=False) as olga:
        sign_in(olga, "olga")
        plans = olga.get("/api/map/plans").json()["items"]
        assert [(p["name"], [c["camera_id"] for c in p["cameras"]]) for p in plans] == [
            ("Both", ["gate"])]
        assert olga.get(f"/api/map/plans/{hall_only['id']}").status_code == 403
        assert olga.get(f"/api/map/plans/{hall_only['id']}/image").status_code == 403
        assert olga.get("/api/map/plans/unknown").status_code == 403
        assert [c["id"] for c in olga.get("/api/map/cameras").json()["items"]] == ["gate"]
        assert "hall" not in olga.get("/api/map/geo").text
        assert _upload(olga, _png()).status_code == 403
        assert olga.put("/api/map/cameras/gate/geo", json={"lat": 1, "lon": 2}).status_code == 403
        assert olga.get("/map").status_code == 200
    with TestClient(create_app(deps), follow_redirects=False) as ana:
        sign_in(ana, "ana")
        assert ana.get("/map").status_code == 200
        gate = ana.get("/api/map/cameras").json()["items"][0]
        assert gate["live_url"] is None  # an analyst may not watch live video
    with TestClient(create_app(deps), follow_redirects=False) as aud:
        sign_in(aud, "aud")
        assert aud.get("/api/map/plans").status_code == 403
        assert aud.get("/map").status_code == 403


def test_geo_without_map_data_is_an_empty_state(client: TestClient) -> None:
    geo = client.get("/api/map/geo").json()
    assert (geo["configured"], geo["geojson"], geo["raster"], geo["errors"]) == (
        False, None, None, [])
    assert client.get("/api/map/geo/base.geojson").status_code == 404
    assert client.get("/api/map/geo/raster").status_code == 404


STREETS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "Abay Ave"},
     "geometry": {"type": "LineString", "coordinates": [[76.90, 43.23], [76.96, 43.24]]}},
    {"type": "Feature", "properties": {"name": "Medeu district"},
     "geometry": {"type": "Polygon", "coordinates": [[[76.93, 43.22], [76.97, 43.22],
                                                      [76.97, 43.26], [76.93, 43.22]]]}}]}


def test_geo_serves_the_deployment_files_and_sectors(tmp_path: Path, deps: AppDeps,
                                                     client: TestClient) -> None:
    (tmp_path / "city.geojson").write_text(json.dumps(STREETS))
    (tmp_path / "city.png").write_bytes(_png(400, 300))
    raster = RasterConfig(image="city.png", bounds=((43.2, 76.9), (43.3, 77.0)))
    deps.map_data = MapData(MapConfig(geojson="city.geojson", raster=raster), tmp_path)
    area = [(43.22, 76.93), (43.22, 76.97), (43.26, 76.97)]
    deps.response.config = ResponseConfig(sectors={
        "north": SectorConfig(name="North", cameras=["gate"], area=area),
        "south": SectorConfig(cameras=["hall"])})
    geo = client.get("/api/map/geo").json()
    assert geo["configured"] and geo["errors"] == []
    assert geo["geojson"]["features"] == 2
    assert geo["geojson"]["bounds"] == [43.22, 76.9, 43.26, 76.97]
    assert geo["raster"]["bounds"] == [[43.2, 76.9], [43.3, 77.0]]
    assert [(s["id"], s["name"], s["cameras"]) for s in geo["sectors"]] == [
        ("north", "North", ["gate"])]
    streets = client.get(geo["geojson"]["url"])
    assert streets.headers["content-type"] == "application/geo+json"
    assert streets.json() == STREETS
    assert client.get(geo["raster"]["url"]).content[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"type": "Point", "coordinates": [43.2, 96.9]}), "out of range"),
        (json.dumps({"type": "Feature", "geometry": {"type": "Blob"}}), "unknown GeoJSON type"),
    ],
)
def test_a_broken_geojson_file_is_reported_not_served(
    tmp_path: Path, deps: AppDeps, client: TestClient, content: str, words: str
) -> None:
    (tmp_path / "bad.geojson").write_text(content)
    deps.map_data = MapData(MapConfig(geojson=str(tmp_path / "bad.geojson")))
    geo = client.get("/api/map/geo").json()
    assert geo["geojson"] is None and len(geo["errors"]) == 1 and words in geo["errors"][0]
    resp = client.get("/api/map/geo/base.geojson")
    assert resp.status_code == 404 and words in resp.json()["detail"]


def test_bearer_clients_may_place_cameras(deps: AppDeps) -> None:
    with TestClient(create_app(deps)) as api:
        resp = api.put("/api/map/cameras/hall/geo", json={"lat": 51.13, "lon": 71.43},
                       headers=bearer(deps))
        assert resp.status_code == 200 and resp.json()["updated_by"] == "admin"
