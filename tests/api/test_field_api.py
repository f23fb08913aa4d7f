"""The field app's API over HTTP: duty, the unit's assignments and moves, photos, positions,
and bad inputs (wrong type, oversize, not an image, coordinates out of range)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from api_factories import bearer, make_event, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import make_jpeg
from kuzet.core.types import Evidence
from kuzet.privacy.audit import AuditQuery
from kuzet.response.field_models import FieldPhotoRow, PositionRow
from kuzet.response.sink import AlarmSink

USERS = [("ana", "operator"), ("dan", "field_officer"), ("eve", "field_officer"),
         ("alan", "analyst"), ("aud", "auditor")]


class NoBlur:
    """Stands in for the face/plate redactor: marks the JPEG as redacted."""

    def redact_jpeg(self, data: bytes) -> bytes:
        return data + b"redacted"


@pytest.fixture
def api(deps: AppDeps) -> Any:
    """``api(user, method, path, **kwargs)``; ana's alarm ev-1 (gate) in incident, sent to P-12."""
    deps.bus.subscribe(AlarmSink(deps.response))
    for name, role in USERS:
        make_user(deps, name, role)
    tokens = {name: bearer(deps, name) for name, _ in USERS}
    client = TestClient(create_app(deps))

    def call(user: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return client.request(method, path, headers=tokens[user], **kwargs)

    with client:
        key = "snapshots/gate/ev-1.jpg"
        digest = deps.media.put(key, make_jpeg(320, 240))
        deps.bus.publish(make_event(evidence=Evidence(snapshot_key=key, snapshot_sha256=digest)))
        assert call("ana", "POST", "/api/alarms/ev-1/acknowledge", json={}).status_code == 200
        made = call("ana", "POST", "/api/incidents", json={
            "type": "fight", "priority": "high", "location": "Gate 1, north side",
            "lat": 43.238, "lon": 76.945, "alarm_ids": ["ev-1"]})
        assert made.status_code == 201, made.text
        sent = call("ana", "POST", "/api/alarms/ev-1/dispatch", json={"unit": "P-12"})
        assert sent.status_code == 200, sent.text
        yield call


def _on_duty(api: Any, user: str = "dan", unit: str = "P-12") -> None:
    answer = api(user, "POST", "/api/field/duty", json={"unit": unit})
    assert answer.status_code == 201, answer.text


def test_officer_works_the_dispatched_incident(deps: AppDeps, api: Any) -> None:
    assert api("dan", "GET", "/api/field/assignments").json() == {
        "on_duty": False, "unit": None, "since": None, "items": []}
    assert api("dan", "POST", "/api/field/alarms/ev-1/accept", json={}).status_code == 409
    _on_duty(api)
    cards = api("dan", "GET", "/api/field/assignments").json()["items"]
    assert [c["key"] for c in cards] and len(cards) == 1
    card = cards[0]
    assert card["incident"]["location"] == "Gate 1, north side"
    assert card["alarms"][0]["progress"] == "dispatched"
    assert card["alarms"][0]["snapshot_url"] == "/api/events/ev-1/snapshot.jpg"
    for action, progress in [("accept", "accept"), ("en_route", "en_route"),
                             ("on_scene", "on_scene")]:
        answer = api("dan", "POST", f"/api/field/alarms/ev-1/{action}", json={})
        assert answer.status_code == 200, answer.text
        assert answer.json()["progress"] == progress
    assert api("dan", "POST", "/api/field/alarms/ev-1/accept", json={}).status_code == 409
    no_verdict = api("dan", "POST", "/api/field/alarms/ev-1/resolve", json={})
    assert no_verdict.status_code == 422 and "verdict" in no_verdict.text
    done = api("dan", "POST", "/api/field/alarms/ev-1/resolve",
               json={"verdict": "confirmed", "note": "two men separated, no injuries"})
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    history = api("ana", "GET", "/api/alarms/ev-1").json()["history"]
    assert [h["action"] for h in history][-4:] == ["accept", "en_route", "on_scene", "resolve"]
    assert {h["actor"] for h in history[-4:]} == {"dan"}
    audited = deps.audit.list(AuditQuery(action="alarm.accept")).items
    assert audited[0].actor == "dan" and audited[0].details["unit"] == "P-12"


def test_another_unit_cannot_act(api: Any) -> None:
    _on_duty(api, "eve", "P-9")
    assert api("eve", "GET", "/api/field/assignments").json()["items"] == []
    refused = api("eve", "POST", "/api/field/alarms/ev-1/on_scene", json={})
    assert refused.status_code == 403 and "P-9" in refused.text
    refused = api("eve", "POST", "/api/field/alarms/ev-1/photos",
                  files={"photo": ("p.jpg", make_jpeg(64, 48), "image/jpeg")})
    assert refused.status_code == 403


def test_photo_is_stored_audited_and_linked(deps: AppDeps, api: Any) -> None:
    deps.redactor = NoBlur()  # type: ignore[assignment]
    _on_duty(api)
    sent = api("dan", "POST", "/api/field/alarms/ev-1/photos", data={"note": "broken glass"},
               files={"photo": ("scene.png", _png(800, 600), "image/png")})
    assert sent.status_code == 201, sent.text
    photo = sent.json()
    assert (photo["width"], photo["height"], photo["unit"]) == (800, 600, "P-12")
    incident_id = api("ana", "GET", "/api/alarms/ev-1").json()["incident_id"]
    listed = api("ana", "GET", f"/api/incidents/{incident_id}/photos").json()["items"]
    assert [p["id"] for p in listed] == [photo["id"]]
    timeline = api("ana", "GET", f"/api/incidents/{incident_id}").json()["timeline"]
    assert any(e["action"] == "photo" and e["details"]["photo"] == photo["id"] for e in timeline)
    image = api("ana", "GET", photo["url"])
    assert image.status_code == 200 and image.headers["X-Kuzet-Redacted"] == "1"
    assert image.content.startswith(b"\xff\xd8") and image.content.endswith(b"redacted")
    assert deps.audit.list(AuditQuery(action="evidence.field_photo")).items[0].actor == "dan"
    views = deps.audit.list(AuditQuery(action="evidence.view")).items
    assert views[0].details["field_photo"] == photo["id"]


def _png(width: int, height: int) -> bytes:
    import cv2
    import numpy as np

    ok, data = cv2.imencode(".png", np.full((height, width, 3), 90, np.uint8))
    assert ok
    return data.tobytes()


BAD_PHOTOS = [
    # (file name, bytes, declared type, status, words in the message)
    ("notes.txt", b"just some text", "text/plain", 415, "content type"),
    ("fake.jpg", b"just some text, not a JPEG", "image/jpeg", 422, "not a JPEG"),
    ("cut.jpg", make_jpeg(640, 480)[:300], "image/jpeg", 422, "photo"),
    ("big.jpg", b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024), "image/jpeg", 413, "limit"),
    ("none", make_jpeg(64, 48), "", 415, "content type"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_PHOTOS, ids=[c[0] for c in BAD_PHOTOS])
def test_bad_photos_are_refused_and_nothing_stored(
        deps: AppDeps, api: Any, case: tuple[str, bytes, str, int, str]) -> None:
    name, data, declared, status, words = case
    _on_duty(api)
    answer = api("dan", "POST", "/api/field/alarms/ev-1/photos",
                 files={"photo": (name, data, declared)})
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"]
    assert detail[0]["loc"] == ["body", "photo"] and words in detail[0]["msg"], detail
    with deps.store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(FieldPhotoRow)) == 0
    assert not (deps.media.root / "field").exists()


BAD_POSITIONS = [
    ({"lat": 91, "lon": 76.9}, "lat"),
    ({"lat": -90.5, "lon": 76.9}, "lat"),
    ({"lat": 43.2, "lon": 180.01}, "lon"),
    ({"lat": 43.2, "lon": -200}, "lon"),
    ({"lat": 43.2, "lon": 76.9, "accuracy_m": -1}, "accuracy_m"),
    ({"lat": "north", "lon": 76.9}, "lat"),
    ({"lon": 76.9}, "lat"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_POSITIONS, ids=[str(c[0]) for c in BAD_POSITIONS])
def test_positions_out_of_range(deps: AppDeps, api: Any, case: tuple[dict[str, Any], str]) -> None:
    body, field = case
    _on_duty(api)
    answer = api("dan", "POST", "/api/field/position", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", field]
    with deps.store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(PositionRow)) == 0


def test_positions_last_per_unit(api: Any) -> None:
    off = api("dan", "POST", "/api/field/position", json={"lat": 43.2, "lon": 76.9})
    assert off.status_code == 409 and "not on duty" in off.text
    _on_duty(api)
    _on_duty(api, "eve", "P-9")
    for user, lat in [("dan", 43.20), ("eve", 43.30), ("dan", 43.25)]:
        sent = api(user, "POST", "/api/field/position",
                   json={"lat": lat, "lon": 76.9, "accuracy_m": 8.5})
        assert sent.status_code == 201, sent.text
    listed = api("ana", "GET", "/api/field/positions")
    assert listed.status_code == 200
    assert [(p["unit"], p["username"], p["lat"]) for p in listed.json()] == [
        ("P-12", "dan", 43.25), ("P-9", "eve", 43.30)]
    assert set(listed.json()[0]) == {"unit", "username", "lat", "lon", "accuracy_m", "at"}
    assert api("aud", "GET", "/api/field/positions").status_code == 403
    ended = api("dan", "DELETE", "/api/field/duty")
    assert ended.status_code == 200 and ended.json()["on_duty"] is False
    assert api("dan", "POST", "/api/field/position", json={"lat": 1, "lon": 1}).status_code == 409


@pytest.mark.parametrize(("unit", "status"), [("P-12", 201), ("", 422), (" -x", 422),
                                              ("A" * 33, 422), ("Патруль 3", 422)])
def test_duty_call_signs(api: Any, unit: str, status: int) -> None:
    assert api("dan", "POST", "/api/field/duty", json={"unit": unit}).status_code == status


@pytest.mark.parametrize(("user", "path", "status"), [
    ("alan", "/field", 403), ("alan", "/api/field/assignments", 403),
    ("dan", "/field", 200), ("dan", "/field/manifest.webmanifest", 200),
    ("dan", "/field/sw.js", 200), ("ana", "/field", 200)])
def test_who_opens_the_app(api: Any, user: str, path: str, status: int) -> None:
    answer = api(user, "GET", path)
    assert answer.status_code == status
    if path.endswith("sw.js"):
        assert answer.headers["Service-Worker-Allowed"] == "/field"
    if path.endswith("webmanifest"):
        manifest = answer.json()
        assert manifest["scope"] == "/field" and manifest["display"] == "standalone"
        assert {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]}
