"""Watchlist, match and face-search API: permissions, governance, two-person rule, scope."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from api_factories import make_user, sign_in
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.core.sightings import FaceProbe
from kuzet.privacy.audit import AuditQuery

FUTURE = (datetime.now(UTC) + timedelta(days=30)).isoformat()
ENTRY = {"name": "J. Doe", "reference": "R-1", "legal_basis": "court order 12/2026",
         "authority": "city court", "case_ref": "C-7", "purpose": "arrest warrant",
         "owner": "unit 7", "expires_at": FUTURE}


@pytest.fixture
def clients(deps: AppDeps) -> Iterator[dict[str, TestClient]]:
    """Signed-in clients: admin, two supervisors, a gate-only supervisor, an analyst."""
    make_user(deps, "sup1", "supervisor")
    make_user(deps, "sup2", "supervisor")
    make_user(deps, "gatesup", "supervisor", cameras=["gate"])
    make_user(deps, "ana", "analyst")
    found: dict[str, TestClient] = {}
    for name in ("admin", "sup1", "sup2", "gatesup", "ana"):
        found[name] = TestClient(create_app(deps)).__enter__()
        sign_in(found[name], name)
    yield found
    for client in found.values():
        client.__exit__(None, None, None)


def _entry(admin: TestClient, deps: AppDeps) -> tuple[str, np.ndarray[Any, Any]]:
    """A list and an entry with one enrolled embedding (no models needed)."""
    wl = admin.post("/api/watchlists", json={"name": "wanted", "kind": "wanted"}).json()
    entry = admin.post(f"/api/watchlists/{wl['id']}/entries", json=ENTRY).json()
    vector = np.random.default_rng(1).normal(size=128).astype(np.float32)
    vector /= np.linalg.norm(vector)
    service = deps.identity
    key = f"watchlists/{entry['id']}/p1.jpg"
    digest = service.media.put(key, b"\xff\xd8jpeg")
    service.watchlists.add_photo(entry["id"], key, digest, vector, 0.9, "admin")
    service.entry_changed(entry["id"])
    return entry["id"], vector


def _probe(vector: np.ndarray[Any, Any], camera: str, track: int = 1) -> FaceProbe:
    embedding = (vector + 0.01).astype(np.float32)
    return FaceProbe(camera, track, 1.0, time.time(), embedding, 0.9, (0, 0, 9, 9),
                     b"\xff\xd8probe")


def test_watchlist_permissions_and_governance(clients: dict[str, TestClient]) -> None:
    admin, sup = clients["admin"], clients["sup1"]
    assert sup.post("/api/watchlists", json={"name": "x"}).status_code == 403
    assert clients["ana"].get("/api/watchlists").status_code == 403
    wl = admin.post("/api/watchlists", json={"name": "missing kids", "kind": "missing"})
    assert wl.status_code == 201 and wl.json()["threshold"] == 0.6  # identity.default_threshold
    wl_id = wl.json()["id"]
    assert [w["name"] for w in sup.get("/api/watchlists").json()["items"]] == ["missing kids"]
    assert admin.patch(f"/api/watchlists/{wl_id}", json={"threshold": 0.45}).json()[
        "threshold"] == 0.45
    for field in ("legal_basis", "authority", "case_ref", "purpose", "owner", "expires_at"):
        body = {k: v for k, v in ENTRY.items() if k != field}
        resp = admin.post(f"/api/watchlists/{wl_id}/entries", json=body)
        assert resp.status_code == 422 and field in resp.text, (field, resp.text)
    past = {**ENTRY, "expires_at": "2020-01-01T00:00:00+00:00"}
    resp = admin.post(f"/api/watchlists/{wl_id}/entries", json=past)
    assert resp.status_code == 422 and "in the past" in resp.text
    entry = admin.post(f"/api/watchlists/{wl_id}/entries", json=ENTRY)
    assert entry.status_code == 201 and entry.json()["status"] == "active"
    entry_id = entry.json()["id"]
    assert sup.patch(f"/api/entries/{entry_id}", json={"status": "suspended"}).status_code == 403
    assert admin.patch(f"/api/entries/{entry_id}", json={"status": "suspended"}).json()[
        "status"] == "suspended"
    listed = sup.get(f"/api/watchlists/{wl_id}/entries").json()["items"]
    assert [(e["name"], e["legal_basis"]) for e in listed] == [("J. Doe", ENTRY["legal_basis"])]


def test_two_person_confirmation(deps: AppDeps, clients: dict[str, TestClient]) -> None:
    entry_id, vector = _entry(clients["admin"], deps)
    (match,) = deps.identity.handle(_probe(vector, "hall"))
    assert deps.identity.handle(_probe(vector, "hall")) == []  # same track and entry
    sup1, sup2 = clients["sup1"], clients["sup2"]
    assert clients["admin"].get("/api/matches").status_code == 403  # admin lacks confirm_match
    assert [m["id"] for m in sup1.get("/api/matches?status=pending").json()["items"]] == [
        match.id]
    shown = sup1.get(f"/api/matches/{match.id}").json()
    assert shown["status"] == "pending" and shown["entry_name"] == "J. Doe"
    assert shown["camera_id"] == "hall" and shown["entry_photo_ids"] == ["p1"]
    assert sup1.get(f"/api/matches/{match.id}/probe.jpg").content == b"\xff\xd8probe"
    first = sup1.post(f"/api/matches/{match.id}/confirm")
    assert first.status_code == 200 and first.json()["status"] == "pending"
    again = sup1.post(f"/api/matches/{match.id}/confirm")
    assert again.status_code == 409 and "already confirmed" in again.json()["detail"]
    done = sup2.post(f"/api/matches/{match.id}/confirm").json()
    assert done["status"] == "confirmed"
    assert [(c["user"], c["decision"]) for c in done["confirmations"]] == [
        ("sup1", "confirm"), ("sup2", "confirm")]
    stored = deps.store.events.get(match.event_id)
    assert stored is not None and stored.severity == "critical"
    assert stored.attrs["status"] == "confirmed"
    assert sup1.post(f"/api/matches/{match.id}/reject", json={"reason": "x"}).status_code == 409
    actions = [r.action for r in deps.audit.list(AuditQuery(limit=500)).items]
    assert {"match.view", "match.probe.view", "match.confirm", "watchlist.entry.create"} <= set(
        actions)


def test_match_list_carries_decisions_and_is_audited_when_it_changes(
    deps: AppDeps, clients: dict[str, TestClient]
) -> None:
    _, vector = _entry(clients["admin"], deps)
    (match,) = deps.identity.handle(_probe(vector, "hall"))
    sup1 = clients["sup1"]

    def listed() -> list[tuple[str, ...]]:
        items = sup1.get("/api/matches?status=pending").json()["items"]
        return [(m["id"], m["entry_photo_ids"][0], *(c["user"] for c in m["confirmations"]))
                for m in items]

    def list_audits() -> int:
        records = deps.audit.list(AuditQuery(limit=500)).items
        return sum(r.action == "match.list" for r in records)

    assert listed() == [(match.id, "p1")]
    assert listed() == [(match.id, "p1")]  # the console's poll: nothing new to record
    assert list_audits() == 1
    sup1.post(f"/api/matches/{match.id}/confirm")
    assert listed() == [(match.id, "p1", "sup1")]
    assert list_audits() == 2


def test_reject_and_camera_scope(deps: AppDeps, clients: dict[str, TestClient]) -> None:
    _, vector = _entry(clients["admin"], deps)
    (hall,) = deps.identity.handle(_probe(vector, "hall"))
    (gate,) = deps.identity.handle(_probe(vector, "gate", track=2))
    scoped = clients["gatesup"]
    assert [m["id"] for m in scoped.get("/api/matches").json()["items"]] == [gate.id]
    for path in (f"/api/matches/{hall.id}", f"/api/matches/{hall.id}/probe.jpg"):
        assert scoped.get(path).status_code == 403
    assert scoped.post(f"/api/matches/{hall.id}/confirm").status_code == 403
    assert scoped.get("/api/matches/no-such-match").status_code == 403
    assert clients["sup1"].post(f"/api/matches/{gate.id}/reject", json={}).status_code == 422
    rejected = scoped.post(f"/api/matches/{gate.id}/reject", json={"reason": "not him"}).json()
    assert rejected["status"] == "rejected"
    assert rejected["confirmations"][0]["reason"] == "not him"


def test_face_search_says_when_nothing_is_retained(
    deps: AppDeps, clients: dict[str, TestClient]
) -> None:
    files = {"photo": ("q.jpg", b"\xff\xd8whatever", "image/jpeg")}
    assert clients["admin"].post("/api/faces/search", files=files).status_code == 403
    resp = clients["ana"].post("/api/faces/search", files=files)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["retained"] is False and "retain_unmatched" in body["message"]
    records = deps.audit.list(AuditQuery(action="face.search")).items
    assert records[0].details["photo_sha256"] == body["photo_sha256"]


def test_enrolment_api_refuses_photo_without_face(
    deps: AppDeps, clients: dict[str, TestClient]
) -> None:
    from kuzet.models.paths import find_model

    if find_model("centerface") is None:
        pytest.skip("model pack not installed (run `kuzet models install`)")
    import cv2

    admin = clients["admin"]
    entry_id, _ = _entry(admin, deps)
    blank = cv2.imencode(".jpg", np.full((240, 320, 3), 90, np.uint8))[1].tobytes()
    resp = admin.post(f"/api/entries/{entry_id}/photos",
                      files={"photo": ("p.jpg", blank, "image/jpeg")})
    assert resp.status_code == 422 and "no face found" in resp.json()["detail"][0]["msg"]
    sup = clients["sup1"]
    resp = sup.post(f"/api/entries/{entry_id}/photos", files={"photo": ("p.jpg", blank)})
    assert resp.status_code == 403
    assert sup.get(f"/api/entries/{entry_id}/photos/p1.jpg").content == b"\xff\xd8jpeg"
