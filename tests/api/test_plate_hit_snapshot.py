"""A plate hit's snapshot is the vehicle scene, its plate blurred without a grant (finding 3).

Before, the hit's snapshot was the plate crop (103x33, stretched by the page),
served as "REDACTED" with the plate legible: on-the-fly redaction searches faces
only, and a crop holds no vehicle to search a plate in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pytest
from api_factories import bearer, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.hotlists import HotlistsConfig
from kuzet.core.sightings import PlateRead
from kuzet.enrich.plate.tracks import plate_scene
from kuzet.identity.hotlists import HotlistRepo
from kuzet.identity.plates_service import HotlistService
from kuzet.privacy.plate_evidence import pixelate_jpeg
from kuzet.privacy.unmask import GrantRequest, UnmaskGrants
from kuzet.render.jpeg import decode_jpeg, encode_jpeg

VEHICLE = np.array([500, 300, 800, 520], np.float32)
PLATE = (600.0, 460.0, 703.0, 493.0)  # 103x33, as in the report


def _frame() -> np.ndarray:
    rng = np.random.default_rng(5)
    frame = np.kron(rng.integers(40, 120, (45, 80, 3), np.uint8), np.ones((16, 16, 1), np.uint8))
    cv2.rectangle(frame, (500, 300), (800, 520), (30, 30, 160), -1)  # the car
    x1, y1, x2, y2 = (int(v) for v in PLATE)
    cv2.rectangle(frame, (x1, y1), (x2, y2), (255, 255, 255), -1)
    cv2.putText(frame, "123AB01", (x1 + 3, y2 - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2)
    return frame


def _sharpness(image: np.ndarray, box: tuple[float, ...]) -> float:
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    gray = cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


@pytest.fixture
def clients(deps: AppDeps) -> Iterator[dict[str, TestClient]]:
    make_user(deps, "olga", "operator")
    make_user(deps, "sam", "supervisor")
    app = create_app(deps)
    with TestClient(app, headers=bearer(deps, "olga")) as olga:
        with TestClient(app, headers=bearer(deps, "sam")) as sam:
            yield {"olga": olga, "sam": sam}


def _hit(deps: AppDeps, with_scene: bool) -> tuple[str, bytes, PlateRead]:
    repo = HotlistRepo(deps.store.engine)
    hotlist = repo.create_hotlist("stolen", "stolen", 2, "admin")
    entry = {
        "plate": "123AB01", "match": "exact", "reason": "stolen vehicle",
        "legal_basis": "CPC art. 253", "authority": "police", "case_ref": "KZ-1",
        "owner": "kim", "expires_at": datetime.now(UTC) + timedelta(days=3),
    }  # fmt: skip
    repo.add_entry(hotlist.id, entry, "admin")
    frame = _frame()
    x1, y1, x2, y2 = (int(v) for v in PLATE)
    crop = encode_jpeg(np.ascontiguousarray(frame[y1:y2, x1:x2]), 90)
    read = PlateRead(
        "gate", 5, 3.2, datetime.now(UTC).timestamp(), "123AB01", 0.9, "KZ", "car", PLATE, crop,
        scene=plate_scene(frame, VEHICLE, PLATE) if with_scene else None,
    )  # fmt: skip
    service = HotlistService(deps.store.engine, deps.media, deps.bus, HotlistsConfig())
    [event] = service.handle(read)
    return event.id, crop, read


def test_the_hit_snapshot_is_the_scene_with_the_plate_blurred(
    deps: AppDeps, clients: dict[str, TestClient]
) -> None:
    event_id, crop, read = _hit(deps, with_scene=True)
    assert read.scene is not None
    stored = deps.store.events.get(event_id)
    assert stored is not None and stored.attrs["snapshot"] == "scene"
    masked = clients["olga"].get(f"/api/events/{event_id}/snapshot.jpg")
    assert masked.status_code == 200 and masked.headers["x-kuzet-redacted"] == "1"
    got, raw = decode_jpeg(masked.content), decode_jpeg(read.scene.jpeg)
    assert got.shape == raw.shape and got.shape[1] > 3 * decode_jpeg(crop).shape[1]
    plate = read.scene.plate_box
    assert _sharpness(raw, plate) > 500  # the plate is legible in the original
    assert _sharpness(got, plate) < 0.1 * _sharpness(raw, plate)
    away = (0, 0, got.shape[1], plate[1] - 60)  # above the car: untouched
    assert np.abs(got[: int(away[3])].astype(int) - raw[: int(away[3])]).mean() < 4
    sam = deps.auth.users.by_username("sam")
    UnmaskGrants(deps.store.engine).grant(GrantRequest(sam.id, "sam", "case KZ-1 review", 60))
    unmasked = clients["sam"].get(f"/api/events/{event_id}/snapshot.jpg")
    assert unmasked.headers["x-kuzet-redacted"] == "0"
    assert unmasked.content == read.scene.jpeg


def test_a_hit_without_a_scene_serves_the_crop_pixelated(
    deps: AppDeps, clients: dict[str, TestClient]
) -> None:
    event_id, crop, _ = _hit(deps, with_scene=False)
    masked = clients["olga"].get(f"/api/events/{event_id}/snapshot.jpg")
    assert masked.headers["x-kuzet-redacted"] == "1"
    got, raw = decode_jpeg(masked.content), decode_jpeg(crop)
    # no detail finer than a block is left: pixelating again changes nothing
    again = decode_jpeg(pixelate_jpeg(masked.content))
    assert got.shape == raw.shape
    assert np.abs(got.astype(int) - again).mean() < 8  # JPEG noise only
    assert np.abs(raw.astype(int) - decode_jpeg(pixelate_jpeg(crop))).mean() > 20
    stored = deps.store.events.get(event_id)
    assert stored is not None and stored.attrs["snapshot"] == "plate_crop"


def test_the_plate_crop_route_is_pixelated_without_a_grant(
    deps: AppDeps, clients: dict[str, TestClient]
) -> None:
    # Before, crop.jpg served the legible plate to any viewer of the hit (issue 14).
    event_id, crop, _ = _hit(deps, with_scene=True)
    [read_id] = [h["read"]["id"] for h in clients["olga"].get("/api/plates/hits").json()["items"]
                 if h["event_id"] == event_id]
    masked = clients["olga"].get(f"/api/plates/reads/{read_id}/crop.jpg")
    assert masked.status_code == 200 and masked.headers["x-kuzet-redacted"] == "1"
    got, raw = decode_jpeg(masked.content), decode_jpeg(crop)
    assert got.shape == raw.shape and masked.content != crop
    # no detail finer than a block is left: pixelating again changes nothing
    assert np.abs(got.astype(int) - decode_jpeg(pixelate_jpeg(masked.content))).mean() < 8
    assert np.abs(raw.astype(int) - decode_jpeg(pixelate_jpeg(crop))).mean() > 20
    no_grant = clients["sam"].get(f"/api/plates/reads/{read_id}/crop.jpg")
    assert no_grant.headers["x-kuzet-redacted"] == "1"  # unmask permission alone is not enough
    sam = deps.auth.users.by_username("sam")
    UnmaskGrants(deps.store.engine).grant(GrantRequest(sam.id, "sam", "case KZ-1 review", 60))
    unmasked = clients["sam"].get(f"/api/plates/reads/{read_id}/crop.jpg")
    assert unmasked.headers["x-kuzet-redacted"] == "0" and unmasked.content == crop
