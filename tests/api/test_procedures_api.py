"""Procedures, supervisor notices and referral verification over HTTP, with permissions,
camera scope and the signed export that carries who verified."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from api_factories import bearer, make_event, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.load import load_config_text
from kuzet.privacy.export import verify_export
from kuzet.privacy.keys import Signer
from kuzet.response.sink import AlarmSink

PROCEDURES = """
cameras:
  gate: {source: {url: a.mp4}}
response:
  procedures:
    fight:
      version: 3
      title: {kk: Төбелес, ru: Драка, en: Fight}
      steps:
        - {id: confirm, kind: question, text: {en: Fight on camera?}, no: end}
        - {id: send_patrol, note_required: true, text: {ru: Направьте наряд},
           legal: {code: {ru: КоАП РК}, article: "434", text: {ru: Мелкое хулиганство}}}
        - {id: log, required: false, text: {en: Log it}}
"""
USERS = {"ana": ("operator", None), "olga": ("operator", ["hall"]), "alan": ("analyst", None),
         "sue": ("supervisor", None), "sam": ("supervisor", ["hall"])}


@pytest.fixture
def api(deps: AppDeps, tmp_path: Path) -> Any:
    """``api(user, method, path, json)``; `fight` incidents follow the procedure above."""
    deps.response.config = load_config_text(PROCEDURES, "t.yml", env={}).response
    deps.audit.signer = Signer.load_or_create(tmp_path / "keys")
    deps.bus.subscribe(AlarmSink(deps.response))
    for name, (role, cameras) in USERS.items():
        make_user(deps, name, role, **({"cameras": cameras} if cameras else {}))
    tokens = {name: bearer(deps, name) for name in USERS}
    client = TestClient(create_app(deps))

    def call(user: str, method: str, path: str, body: Any = None) -> Any:
        return client.request(method, path, json=body, headers=tokens[user])

    with client:
        yield call


def _fight(deps: AppDeps, api: Any, event_id: str = "ev-g", camera: str = "gate") -> str:
    deps.bus.publish(make_event(id=event_id, camera_id=camera))
    made = api("ana", "POST", "/api/incidents",
               {"type": "fight", "priority": "high", "alarm_ids": [event_id]})
    assert made.status_code == 201, made.text
    assert made.json()["procedure"]["version"] == 3
    return str(made.json()["id"])


def test_checklist_steps_and_close(deps: AppDeps, api: Any) -> None:
    iid = _fight(deps, api)
    base = f"/api/incidents/{iid}/procedure"
    checklist = api("alan", "GET", base).json()  # analysts read
    assert checklist["open_required"] == ["confirm"] and checklist["title"]["kk"] == "Төбелес"
    assert checklist["steps"][1]["legal"]["code"]["ru"] == "КоАП РК"
    assert api("alan", "POST", f"{base}/steps/confirm/done", {"answer": "yes"}).status_code == 403
    assert api("olga", "GET", base).status_code == 403  # gate is outside her scope
    bad = api("ana", "POST", f"{base}/steps/confirm/done", {})
    assert bad.status_code == 422 and "answer it yes or no" in bad.json()["detail"][0]["msg"]
    early = api("ana", "POST", f"{base}/steps/send_patrol/done", {"note": "p7"})
    assert early.status_code == 409 and "waits for an earlier" in early.json()["detail"]
    assert api("ana", "POST", f"{base}/steps/nope/done", {}).status_code == 404
    done = api("ana", "POST", f"{base}/steps/confirm/done", {"answer": "yes"}).json()
    assert done["open_required"] == ["send_patrol"]
    api("ana", "POST", "/api/alarms/ev-g/acknowledge")
    api("ana", "POST", "/api/alarms/ev-g/resolve", {"verdict": "confirmed"})
    closing = api("ana", "POST", f"/api/incidents/{iid}/close", {"text": "done"})
    assert closing.status_code == 409
    assert "send_patrol (Направьте наряд)" in closing.json()["detail"]
    skipped = api("ana", "POST", f"{base}/steps/send_patrol/skip", {"reason": "none free"})
    assert skipped.json()["complete"] is True
    assert api("ana", "POST", f"{base}/steps/send_patrol/skip", {}).status_code == 422
    closed = api("ana", "POST", f"/api/incidents/{iid}/close", {"text": "done"})
    assert closed.status_code == 200, closed.text
    timeline = [e["action"] for e in closed.json()["timeline"]]
    assert {"procedure", "step_done", "step_skip", "close"} <= set(timeline)


def test_supervisors_see_skips_in_their_scope(deps: AppDeps, api: Any) -> None:
    gate, hall = _fight(deps, api), _fight(deps, api, "ev-h", "hall")
    for iid in (gate, hall):
        api("ana", "POST", f"/api/incidents/{iid}/procedure/steps/confirm/done",
            {"answer": "yes"})
        api("ana", "POST", f"/api/incidents/{iid}/procedure/steps/send_patrol/skip",
            {"reason": f"no patrol near {iid}"})
    assert api("ana", "GET", "/api/notices").status_code == 403  # operators: no
    everyone = api("sue", "GET", "/api/notices").json()["items"]
    assert sorted(n["incident_id"] for n in everyone) == sorted([gate, hall])
    scoped = api("sam", "GET", "/api/notices").json()["items"]
    assert [n["incident_id"] for n in scoped] == [hall]
    gate_notice = next(n["id"] for n in everyone if n["incident_id"] == gate)
    assert api("sam", "POST", f"/api/notices/{gate_notice}/acknowledge").status_code == 403
    seen = api("sue", "POST", f"/api/notices/{gate_notice}/acknowledge")
    assert seen.status_code == 200 and seen.json()["acknowledged_by"] == "sue"
    again = api("sue", "POST", f"/api/notices/{gate_notice}/acknowledge")
    assert again.status_code == 409 and "already acknowledged by sue" in again.json()["detail"]
    assert [n["incident_id"] for n in api("sue", "GET", "/api/notices").json()["items"]] == [hall]
    assert api("sue", "POST", "/api/notices/999999/acknowledge").status_code == 404
    assert api("sue", "GET", "/api/notices?cursor=zz").status_code == 400


def _zip_json(data: bytes, name: str) -> Any:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read(name))


def test_referral_needs_a_second_person_before_export(deps: AppDeps, api: Any) -> None:
    deps.bus.publish(make_event(id="ev-r", camera_id="gate"))
    api("sue", "POST", "/api/alarms/ev-r/acknowledge")
    api("sue", "POST", "/api/alarms/ev-r/resolve", {"verdict": "referred", "reason": "record"})
    assert api("sue", "GET", "/api/alarms/ev-r").json()["referral"]["state"] == "pending"
    blocked = api("alan", "POST", "/api/exports", {"event_id": "ev-r", "reason": "court"})
    assert blocked.status_code == 409 and "not yet verified" in blocked.json()["detail"]
    own = api("sue", "POST", "/api/alarms/ev-r/verify", {})
    assert own.status_code == 403 and "yourself" in own.json()["detail"]
    assert api("ana", "POST", "/api/alarms/ev-r/verify", {}).status_code == 403
    assert api("sam", "POST", "/api/alarms/ev-r/verify", {}).status_code == 403  # scope
    pending = api("alan", "GET", "/api/referrals?state=pending").json()["items"]
    assert [r["alarm_id"] for r in pending] == ["ev-r"]
    make_user(deps, "max", "supervisor")
    verified = TestClient(create_app(deps)).post(
        "/api/alarms/ev-r/verify", json={"note": "plate legible"}, headers=bearer(deps, "max"))
    assert verified.status_code == 200, verified.text
    assert (verified.json()["state"], verified.json()["checked_by"]) == ("verified", "max")
    again = api("sue", "POST", "/api/alarms/ev-r/verify", {"decision": "rejected", "note": "x"})
    assert again.status_code == 409 and "already verified by max" in again.json()["detail"]
    exported = api("alan", "POST", "/api/exports", {"event_id": "ev-r", "reason": "court"})
    assert exported.status_code == 200, exported.text
    assert verify_export(exported.content, deps.audit.signer.public_pem()).ok
    (referral,) = _zip_json(exported.content, "manifest.json")["referrals"]
    assert (referral["referred_by"], referral["checked_by"], referral["state"]) == (
        "sue", "max", "verified")
    assert _zip_json(exported.content, "custody.json")["referrals"] == [referral]


def test_reject_needs_a_note_and_not_a_referral_is_409(deps: AppDeps, api: Any) -> None:
    deps.bus.publish(make_event(id="ev-c", camera_id="gate"))
    api("ana", "POST", "/api/alarms/ev-c/acknowledge")
    api("ana", "POST", "/api/alarms/ev-c/resolve", {"verdict": "referred"})
    assert api("sue", "POST", "/api/alarms/ev-c/verify",
               {"decision": "rejected"}).status_code == 422
    rejected = api("sue", "POST", "/api/alarms/ev-c/verify",
                   {"decision": "rejected", "note": "not an offence"})
    assert rejected.json()["state"] == "rejected"
    incident = api("ana", "POST", "/api/incidents",
                   {"type": "phone_call", "priority": "low", "alarm_ids": ["ev-c"]}).json()
    assert incident["procedure"] is None
    assert [r["state"] for r in incident["referrals"]] == ["rejected"]
    deps.bus.publish(make_event(id="ev-n", camera_id="gate"))
    assert api("sue", "POST", "/api/alarms/ev-n/verify", {}).status_code == 409
