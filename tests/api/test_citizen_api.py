"""Citizen reports through the public API: into the queue, status, and abuse refused.

Real SQLite file store and media folder; real photo decoding; the proof of work
solved for real (at 8 bits).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_factories import make_event, make_user, sign_in
from fastapi.testclient import TestClient

from citizen_factories import SQUARE, b64, citizen_deps, photo, report_body
from image_bombs import bomb_png
from kuzet.api import AppDeps, create_app
from kuzet.citizen.models import CitizenReportRow
from kuzet.response.states import Action
from kuzet.store.models import EventRow

PERSONAL = ("+7 701 555 0101", "fountain", "Two men", "device-1")


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[AppDeps]:
    deps = citizen_deps(tmp_path)
    make_user(deps)
    yield deps
    deps.store.close()


@pytest.fixture
def client(deps: AppDeps) -> Iterator[TestClient]:
    with TestClient(create_app(deps)) as test_client:
        yield test_client


def _stored(deps: AppDeps) -> tuple[int, int, int, int]:
    """(reports, events, alarms, media files): what a refusal must leave unchanged."""
    files = sum(1 for p in deps.media.root.rglob("*") if p.is_file())
    with deps.store.engine.connect() as conn:
        reports = conn.execute(CitizenReportRow.__table__.select()).all()
        events = conn.execute(EventRow.__table__.select()).all()
    alarms = deps.response.alarms.page(_all()).items
    return len(reports), len(events), len(alarms), files


def _all() -> Any:
    from kuzet.response.alarms import AlarmQuery

    return AlarmQuery(limit=500)


def test_report_reaches_queue_with_cameras_and_status_has_no_personal_data(
        client: TestClient, deps: AppDeps) -> None:
    original = photo(gps=(43.2389, 76.9454))
    answer = client.post("/api/public/reports", json=report_body(client, photos=[b64(original)]))
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert receipt["ref"].startswith("KZ-") and receipt["status_url"].endswith(receipt["token"])
    alarm = deps.response.alarms.page(_all()).items[0]
    assert (alarm.kind, alarm.camera_id) == ("citizen_report", "square-north")
    assert alarm.attrs["cameras"] == ["square-north", "square-east"]  # depot is 5 km away
    assert not any(p in str(alarm.attrs) for p in PERSONAL)  # webhooks/MQTT carry attrs
    sign_in(client)
    report = client.get(f"/api/citizen/alarms/{alarm.id}").json()
    assert report["contact"] == "+7 701 555 0101" and report["place"].startswith("Central")
    assert [c["camera_id"] for c in report["cameras"]] == ["square-north", "square-east"]
    assert "recordings?at=" in report["cameras"][0]["recording_url"]
    shown = client.get(report["photos"][0])
    assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    assert shown.headers["X-Kuzet-Redacted"] == "1"  # no unmask grant: blurred copy
    assert b"Exif" not in shown.content[:200] and b"KuzetPhone" not in shown.content
    row = deps.citizen.reports.get(receipt["ref"])
    assert row is not None and row.photos[0]["exif_gps"] == [43.2389, 76.9454]
    assert deps.media.get(row.photos[0]["original_key"]) == original  # evidence kept as sent
    look = {"X-Status-Token": receipt["token"]}
    deps.response.act(alarm.id, _request(Action.ACKNOWLEDGE), _actor())
    status = client.get(f"/api/public/reports/{receipt['ref']}", headers=look)
    assert status.json()["state"] == "in_progress" and status.json()["outcome"] is None
    deps.response.act(alarm.id, _request(Action.RESOLVE, verdict="confirmed"), _actor())
    status = client.get(f"/api/public/reports/{receipt['ref']}", headers=look)
    assert status.json()["state"] == "closed" and "Confirmed" in status.json()["outcome"]
    assert not any(p in status.text for p in PERSONAL)


class BrokenBlur:
    """A redactor whose models fail."""

    def redact_jpeg(self, data: bytes) -> bytes:
        raise RuntimeError("face model missing")


def test_a_photo_that_cannot_be_blurred_is_not_shown(client: TestClient, deps: AppDeps) -> None:
    deps.redactor = BrokenBlur()  # type: ignore[assignment]
    sent = photo()
    answer = client.post("/api/public/reports", json=report_body(client, photos=[b64(sent)]))
    assert answer.status_code == 201, answer.text
    alarm = deps.response.alarms.page(_all()).items[0]
    sign_in(client)
    url = client.get(f"/api/citizen/alarms/{alarm.id}").json()["photos"][0]
    shown = client.get(url)
    assert shown.status_code == 503 and "face model missing" in shown.json()["detail"]
    assert b"\xff\xd8" not in shown.content  # no image at all, never the unblurred one


def _request(action: Action, **values: Any) -> Any:
    from kuzet.response.planning import ActionRequest

    return ActionRequest(action, **values)


def _actor() -> Any:
    from kuzet.response.actor import Actor

    return Actor("admin", None)


@pytest.mark.parametrize("token", ["", "wrong-token-wrong-token", "x" * 500])
def test_status_needs_the_right_token(client: TestClient, token: str) -> None:
    ref = client.post("/api/public/reports", json=report_body(client)).json()["ref"]
    answer = client.get(f"/api/public/reports/{ref}", headers={"X-Status-Token": token})
    assert answer.status_code == 404
    assert client.get("/api/public/reports/KZ-NOSUCH00",
                      headers={"X-Status-Token": token or "t"}).status_code == 404


def test_burst_of_1000_from_one_client_is_throttled(client: TestClient, deps: AppDeps) -> None:
    deps.bus.publish(make_event(id="ev-camera", camera_id="square-north"))
    deps.response.open_alarm(make_event(id="ev-camera", camera_id="square-north"))
    before = _stored(deps)
    bodies = [report_body(client, lat=SQUARE[0] + i * 0.01, device_token=f"d{i}")
              for i in range(5)]
    started = time.perf_counter()
    codes = [client.post("/api/public/reports", json=bodies[i % 5]).status_code
             for i in range(1000)]
    elapsed = time.perf_counter() - started
    assert codes[:5] == [201] * 5 and set(codes[5:]) == {429}
    after = _stored(deps)
    assert after[0] - before[0] == 5 and after[2] - before[2] == 5  # the allowance, no more
    assert deps.citizen.rejections.totals["rate_ip"] == 995
    assert elapsed < 60, f"1000 requests took {elapsed:.1f} s"
    other = TestClient(create_app(deps), client=("198.51.100.7", 5000))
    assert other.post("/api/public/reports",
                      json=report_body(other, lat=SQUARE[0] - 0.1)).status_code == 201


def test_device_limit_holds_across_addresses(deps: AppDeps) -> None:
    codes = []
    for i in range(5):
        c = TestClient(create_app(deps), client=(f"198.51.100.{i}", 5000))
        codes.append(c.post("/api/public/reports", json=report_body(
            c, lat=SQUARE[0] + i * 0.01, device_token="same-phone")).status_code)
    assert codes == [201, 201, 201, 429, 429]
    assert deps.citizen.rejections.totals["rate_device"] == 2


REFUSED: list[tuple[str, dict[str, Any], int, str]] = [
    ("oversize photo", {"photos": [b64(b"\xff\xd8\xff" + b"0" * 9_000_000)]}, 413, "too_large"),
    ("too many pixels", {"photos": [b64(bomb_png(9000, 9000))]}, 413, "too_large"),
    ("gif", {"photos": [b64(b"GIF89a" + b"\x00" * 100)]}, 415, "bad_type"),
    ("text as photo", {"photos": [b64(b"hello, not an image")]}, 415, "bad_type"),
    ("truncated jpeg", {"photos": [b64(photo()[:300])]}, 422, "bad_image"),
    ("not base64", {"photos": ["***"]}, 422, "malformed"),
    ("unknown category", {"category": "parking"}, 422, "malformed"),
    ("no place", {"lat": None, "lon": None, "place": None}, 422, "malformed"),
    ("lat only", {"lon": None}, 422, "malformed"),
    ("lat out of range", {"lat": 123.0}, 422, "malformed"),
    ("future", {"occurred_at": "2099-01-01T00:00:00+00:00"}, 422, "malformed"),
    ("naive time", {"occurred_at": "2026-01-01T00:00:00"}, 422, "malformed"),
    ("empty description", {"description": "  "}, 422, "malformed"),
    ("extra field", {"name": "Ivan"}, 422, "malformed"),
    ("no proof of work", {"challenge": None, "nonce": None}, 403, "proof_of_work"),
    ("wrong nonce", {"nonce": "x"}, 403, "proof_of_work"),
    ("forged challenge", {"challenge": "1.9999999999.0.00.00"}, 403, "proof_of_work"),
    ("good photo, second one bad", {"photos": [b64(photo()), b64(b"GIF89a")]}, 415, "bad_type"),
]


@pytest.mark.parametrize(("change", "status", "reason"), [r[1:] for r in REFUSED],
                         ids=[r[0] for r in REFUSED])
def test_bad_submissions_get_clear_4xx_and_store_nothing(
        client: TestClient, deps: AppDeps, change: dict[str, Any], status: int,
        reason: str) -> None:
    before = _stored(deps)
    answer = client.post("/api/public/reports", json=report_body(client, **change))
    assert answer.status_code == status, answer.text
    assert answer.json()["reason"] == reason and answer.json()["detail"]
    assert _stored(deps) == before
    assert deps.citizen.rejections.totals[reason] == 1


@pytest.mark.parametrize(("body", "status"), [
    (b"{not json", 422), (b"[]", 422), (b"", 422), (b"x" * 40_000_000, 413)])
def test_malformed_bodies(client: TestClient, deps: AppDeps, body: bytes, status: int) -> None:
    before = _stored(deps)
    answer = client.post("/api/public/reports", content=body,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == status
    assert _stored(deps) == before


def test_duplicate_and_reused_challenge(client: TestClient, deps: AppDeps) -> None:
    first = report_body(client)
    assert client.post("/api/public/reports", json=first).status_code == 201
    assert client.post("/api/public/reports", json=first).json()["reason"] == "proof_of_work"
    nearby = report_body(client, lat=SQUARE[0] + 0.0002, device_token="device-2")
    answer = client.post("/api/public/reports", json=nearby)  # 22 m away, same category
    assert answer.status_code == 409 and answer.json()["reason"] == "duplicate"
    other = report_body(client, category="theft", device_token="device-3")
    assert client.post("/api/public/reports", json=other).status_code == 201
    deps.citizen.rejections.flush()
    assert deps.citizen.rejections.stored("2000-01-01", "2100-01-01") == {
        "proof_of_work": 1, "duplicate": 1}


def test_disabled_intake_is_404(tmp_path: Path) -> None:
    deps = citizen_deps(tmp_path, enabled=False)
    with TestClient(create_app(deps)) as anon:
        for path in ("/report", "/api/public/challenge", "/api/public/form"):
            assert anon.get(path).status_code == 404
        assert anon.post("/api/public/reports", json={}).status_code == 404
    deps.store.close()


def test_webhook_of_a_report_carries_no_personal_data(client: TestClient,
                                                       deps: AppDeps) -> None:
    from kuzet.config.integrations import IntegrationsConfig
    from kuzet.integrations.service import Integrations

    cfg = IntegrationsConfig.model_validate({"webhooks": [
        {"name": "cad", "url": "http://127.0.0.1:9/hook", "secret": "x" * 20}]})
    hooks = Integrations.build(deps.store.engine, cfg, {}, deps.response.clock)
    hooks.attach(deps.response.updates.subscribe, deps.response.outbox.subscribe)
    try:
        body = report_body(client, photos=[b64(photo(gps=(43.2389, 76.9454)))])
        assert client.post("/api/public/reports", json=body).status_code == 201
    finally:
        hooks.stop()
    queued = hooks.queue.due("cad", deps.response.clock() + timedelta(days=1))
    assert len(queued) == 1 and '"citizen_report"' in queued[0].body
    assert not any(p in queued[0].body for p in PERSONAL)
    assert "43.2389," not in queued[0].body  # the photo's EXIF position stays evidence
