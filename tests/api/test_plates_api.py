"""Plates API: hotlist governance over HTTP, audited search, scope, crops and hits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from api_factories import make_user, sign_in
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kuzet.api import AppDeps, create_app
from kuzet.config.hotlists import HotlistsConfig
from kuzet.core.sightings import PlateRead
from kuzet.identity.plates_service import HotlistService
from kuzet.render.jpeg import encode_jpeg
from kuzet.store.models import AuditRow

# A real plate-sized JPEG (dark text band on white), so the redacted copy can be made.
CROP = encode_jpeg(np.pad(np.full((11, 80, 3), 20, np.uint8), ((11, 11), (12, 11), (0, 0)),
                          constant_values=240), 90)


def entry(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "plate": "123 ABC 01", "reason": "stolen car", "legal_basis": "CPC art. 253",
        "owner": "officer.kim", "case_ref": "KZ-42",
        "expires_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
    }  # fmt: skip
    values.update(overrides)
    return values


def read(camera: str, text: str, track: int = 1) -> PlateRead:
    return PlateRead(
        camera_id=camera, track_id=track, ts=1.0, wall=datetime.now(UTC).timestamp(),
        text=text, confidence=0.9, country="KZ", vehicle_class="car",
        box=(0.0, 0.0, 10.0, 5.0), crop_jpeg=CROP,
    )  # fmt: skip


def service(deps: AppDeps) -> HotlistService:
    return HotlistService(deps.store.engine, deps.media, deps.bus, HotlistsConfig())


def actions(deps: AppDeps, prefix: str) -> list[AuditRow]:
    with Session(deps.store.engine) as session:
        stmt = sa.select(AuditRow).where(AuditRow.action.startswith(prefix))
        return list(session.scalars(stmt))


def user_client(deps: AppDeps, name: str, role: str, **scope: Any) -> TestClient:
    make_user(deps, name, role, **scope)
    client = TestClient(create_app(deps), follow_redirects=False)
    sign_in(client, name)
    return client


def test_hotlist_and_entries_with_governance(client: TestClient, deps: AppDeps) -> None:
    resp = client.post("/api/hotlists", json={"name": "stolen", "reason": "stolen", "priority": 1})
    assert resp.status_code == 201, resp.text
    hotlist_id = resp.json()["id"]
    url = f"/api/hotlists/{hotlist_id}/entries"
    created = client.post(url, json=entry())
    assert created.status_code == 201, created.text
    assert created.json()["plate"] == "123ABC01" and created.json()["status"] == "active"
    listed = client.get(url).json()
    assert [e["legal_basis"] for e in listed] == ["CPC art. 253"]
    entry_url = f"/api/hotlist-entries/{created.json()['id']}"
    patched = client.patch(entry_url, json={"status": "suspended"})
    assert patched.status_code == 200 and patched.json()["status"] == "suspended"
    assert [h["name"] for h in client.get("/api/hotlists").json()] == ["stolen"]
    assert {r.action for r in actions(deps, "hotlist.")} >= {
        "hotlist.create",
        "hotlist.entry.create",
        "hotlist.entry.update",
        "hotlist.view",
    }


@pytest.mark.parametrize("field", ["legal_basis", "owner", "expires_at"])
def test_entry_without_governance_field_is_422(client: TestClient, field: str) -> None:
    hotlist_id = client.post("/api/hotlists", json={"name": "w", "reason": "wanted"}).json()["id"]
    for values in ({k: v for k, v in entry().items() if k != field}, entry(**{field: ""})):
        resp = client.post(f"/api/hotlists/{hotlist_id}/entries", json=values)
        assert resp.status_code == 422, resp.text
        assert field in resp.text


def test_expired_entry_is_refused(client: TestClient) -> None:
    hotlist_id = client.post("/api/hotlists", json={"name": "x", "reason": "wanted"}).json()["id"]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    resp = client.post(f"/api/hotlists/{hotlist_id}/entries", json=entry(expires_at=past))
    assert resp.status_code == 422 and "expires_at" in resp.text


def test_search_is_audited_scoped_and_needs_search(deps: AppDeps) -> None:
    svc = service(deps)
    svc.handle(read("gate", "123ABC01"))
    svc.handle(read("hall", "123ABD77", track=2))
    analyst = user_client(deps, "ana", "analyst", cameras=["gate"])
    found = analyst.get("/api/plates/reads", params={"plate": "ABC"}).json()["items"]
    assert [r["camera_id"] for r in found] == ["gate"]
    everything = analyst.get("/api/plates/reads", params={"plate": "123*"}).json()["items"]
    assert [r["text"] for r in everything] == ["123ABC01"]
    assert analyst.get("/api/plates/reads", params={"camera": "hall"}).status_code == 403
    searches = actions(deps, "plate.search")
    assert searches and searches[0].actor == "ana" and "ABC" in searches[0].details["query"]
    operator = user_client(deps, "olga", "operator")
    assert operator.get("/api/plates/reads", params={"plate": "ABC"}).status_code == 403


def test_reads_carry_country_format_and_local_script(deps: AppDeps) -> None:
    svc = service(deps)
    svc.handle(replace(read("gate", "A123BC77"), country="RU", plate_format="RU private"))
    svc.handle(replace(read("gate", "1049338", track=2), country=None))  # format unknown
    analyst = user_client(deps, "ana", "analyst", cameras=["gate"])
    items = analyst.get("/api/plates/reads").json()["items"]
    got = {(r["text"], r["text_local"], r["country"], r["plate_format"]) for r in items}
    assert got == {("A123BC77", "А123ВС77", "RU", "RU private"), ("1049338", "1049338", None, None)}


def test_crop_needs_search_or_a_hit_and_is_scoped(deps: AppDeps) -> None:
    svc = service(deps)
    plain = svc.reads.add(read("gate", "555ZZZ01"))
    other = svc.reads.add(read("hall", "555ZZZ02"))
    analyst = user_client(deps, "ana", "analyst", cameras=["gate"])
    resp = analyst.get(f"/api/plates/reads/{plain.id}/crop.jpg")
    # without an unmask grant the crop is pixelated (tests/api/test_plate_hit_snapshot.py)
    assert resp.status_code == 200 and resp.headers["x-kuzet-redacted"] == "1"
    assert resp.content != CROP
    assert analyst.get(f"/api/plates/reads/{other.id}/crop.jpg").status_code == 403
    assert any(r.target == f"plate_read:{plain.id}" for r in actions(deps, "evidence.view"))
    operator = user_client(deps, "olga", "operator", cameras=["gate"])
    assert operator.get(f"/api/plates/reads/{plain.id}/crop.jpg").status_code == 403


def test_hit_event_carries_the_crop_and_is_listed(client: TestClient, deps: AppDeps) -> None:
    hotlist_id = client.post("/api/hotlists", json={"name": "s", "reason": "stolen"}).json()["id"]
    client.post(f"/api/hotlists/{hotlist_id}/entries", json=entry())
    [event] = service(deps).handle(read("gate", "I23ABC01"))  # 1 read as I
    operator = user_client(deps, "olga", "operator", cameras=["gate"])
    hits = operator.get("/api/plates/hits").json()["items"]
    assert [h["event_id"] for h in hits] == [event.id] and hits[0]["distance"] == 0.5
    stored = operator.get(f"/api/events/{event.id}").json()
    assert stored["kind"] == "plate_hit" and stored["snapshot_key"].startswith("plates/gate/")
    crop = operator.get(f"/api/plates/reads/{hits[0]['read']['id']}/crop.jpg")
    assert crop.status_code == 200 and crop.headers["x-kuzet-redacted"] == "1"
    hall = user_client(deps, "hana", "operator", cameras=["hall"])
    assert hall.get("/api/plates/hits").json()["items"] == []


def test_console_pages_and_nav(deps: AppDeps, client: TestClient) -> None:
    assert client.get("/hotlists").status_code == 200
    assert 'data-testid="nav-hotlists"' in client.get("/").text
    service(deps).reads.add(read("gate", "777AAA02"))
    analyst = user_client(deps, "ana", "analyst")
    page = analyst.get("/plates", params={"plate": "777"})
    assert page.status_code == 200 and "777AAA02" in page.text
    assert 'data-testid="nav-plates"' in page.text and "nav-hotlists" not in page.text
    assert analyst.get("/hotlists").status_code == 403
