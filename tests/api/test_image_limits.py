"""Hostile images at the API (issue 14, finding 10): a 20000x20000 PNG of ~1 MB sent to
enrolment or face search is refused from its header, quickly, with bounded memory
(it took the server to 22.9 GB and an OOM kill)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from api_factories import bearer, make_user
from fastapi.testclient import TestClient

from image_bombs import bomb_png, memory_guard
from kuzet.api import AppDeps, create_app
from kuzet.config.identity import IdentityConfig
from kuzet.identity.service import IdentityService

FUTURE = "2099-01-01T00:00:00+00:00"
ENTRY = {"name": "J. Doe", "reference": "R-1", "legal_basis": "court order 12/2026",
         "authority": "city court", "case_ref": "C-7", "purpose": "arrest warrant",
         "owner": "unit 7", "expires_at": FUTURE}


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return bomb_png(20000, 20000)


@pytest.fixture
def admin(deps: AppDeps) -> Iterator[TestClient]:
    config = IdentityConfig(retain_unmatched=True)  # so that face search decodes the photo
    deps.identity = IdentityService(deps.store.engine, deps.media, deps.bus, config)
    with TestClient(create_app(deps), headers=bearer(deps)) as client:
        yield client


def _entry(admin: TestClient) -> str:
    wl = admin.post("/api/watchlists", json={"name": "wanted", "kind": "wanted"}).json()
    return str(admin.post(f"/api/watchlists/{wl['id']}/entries", json=ENTRY).json()["id"])


@pytest.mark.parametrize("route", ["enrol", "search"])
def test_a_decompression_bomb_is_refused_from_its_header(
    admin: TestClient, deps: AppDeps, bomb: bytes, route: str
) -> None:
    assert len(bomb) < 2_000_000
    if route == "enrol":
        client, path = admin, f"/api/entries/{_entry(admin)}/photos"
    else:
        make_user(deps, "ana", "analyst")
        client = TestClient(create_app(deps), headers=bearer(deps, "ana"))
        path = "/api/faces/search"
    started = time.monotonic()
    with memory_guard(limit_mb=900) as memory:
        answer = client.post(path, files={"photo": ("bomb.png", bomb, "image/png")})
    elapsed = time.monotonic() - started
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"][0]["msg"]
    assert "20000x20000" in detail and "40 megapixels" in detail
    assert elapsed < 5
    assert memory.peak_growth_mb < 300, f"{memory.peak_growth_mb:.0f} MB"


def test_a_photo_over_the_byte_limit_is_413(admin: TestClient) -> None:
    huge = b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024 + 1)
    answer = admin.post(
        f"/api/entries/{_entry(admin)}/photos", files={"photo": ("big.png", huge, "image/png")}
    )
    assert answer.status_code == 413
    assert "10 MiB" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"GIF89a" + b"\x00" * 64, "not a JPEG, PNG"), (b"hello", "not a JPEG, PNG")],
)
def test_not_an_image_is_a_clear_422(admin: TestClient, data: bytes, words: str) -> None:
    answer = admin.post(
        f"/api/entries/{_entry(admin)}/photos", files={"photo": ("x.png", data, "image/png")}
    )
    assert answer.status_code == 422
    assert words in answer.json()["detail"][0]["msg"]
