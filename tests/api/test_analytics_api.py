"""Rule analytics and the shift handover over HTTP: figures, the floor flag, PDF, roles, scope."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_factories import bearer, make_event, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.feedback import FeedbackConfig
from kuzet.config.response import ResponseConfig
from kuzet.privacy.audit import AuditQuery
from kuzet.response.flags import RuleFlags
from kuzet.response.service import ResponseService
from kuzet.response.sink import AlarmSink

USERS = [("ana", "operator"), ("bob", "operator"), ("sue", "supervisor"), ("alan", "analyst"),
         ("aud", "auditor"), ("fred", "field_officer")]


@pytest.fixture
def api(deps: AppDeps) -> Iterator[Any]:
    """``api(user, method, path, json)``; flags on the floor 0.5 after 3 verdicts."""
    config = ResponseConfig(feedback=FeedbackConfig(precision_floor=0.5, min_verdicts=3))
    deps.response = ResponseService(deps.store.engine, deps.audit, config)
    deps.timezone = "Asia/Almaty"
    flags = RuleFlags(deps.store.engine, deps.response)
    deps.response.updates.subscribe(flags.on_update)
    deps.bus.subscribe(AlarmSink(deps.response))
    for name, role in USERS:
        make_user(deps, name, role)
    make_user(deps, "olga", "operator", cameras=["hall"])
    make_user(deps, "hanna", "supervisor", cameras=["hall"])
    names = [*USERS, ("olga", ""), ("hanna", ""), ("admin", "")]
    tokens = {name: bearer(deps, name) for name, _ in names}
    client = TestClient(create_app(deps))

    def call(user: str, method: str, path: str, json: Any = None,
             accept: str = "*/*") -> httpx.Response:
        headers = {**tokens[user], "Accept": accept}
        return client.request(method, path, json=json, headers=headers)

    with client:
        yield call


def _handled(deps: AppDeps, api: Any, event_id: str, verdict: str, user: str = "ana",
             **event: Any) -> None:
    deps.bus.publish(make_event(id=event_id, **event))
    assert api(user, "POST", f"/api/alarms/{event_id}/acknowledge").status_code == 200
    resolved = api(user, "POST", f"/api/alarms/{event_id}/resolve", {"verdict": verdict})
    assert resolved.status_code == 200, resolved.text


def _rule(body: dict[str, Any], rule: str) -> dict[str, Any]:
    return next(r for r in body["rules"] if r["key"] == rule)


def test_precision_figures_and_the_floor_flag(deps: AppDeps, api: Any) -> None:
    for i, verdict in enumerate(["confirmed", "false_alarm", "false_alarm"]):
        _handled(deps, api, f"g{i}", verdict)
    _handled(deps, api, "h0", "confirmed", user="olga", camera_id="hall", rule_id="hall-crowd")
    body = api("sue", "GET", "/api/analytics/precision").json()
    gate = _rule(body, "gate-zone")
    assert (gate["alarms"], gate["true_count"], gate["false_count"]) == (3, 1, 2)
    assert round(gate["precision"], 3) == 0.333 and gate["below_floor"] and gate["enough"]
    assert body["flagged"] == ["gate-zone"] and body["timezone"] == "Asia/Almaty"
    assert body["timezone_label"] == "Asia/Almaty (UTC+05:00)"
    assert [f["rule_id"] for f in body["flags"]] == ["gate-zone"]
    assert sum(w["alarms"] for w in body["weeks"]) == 4
    audit = deps.audit.list(AuditQuery(action="rule.precision_low")).items
    assert [r.target for r in audit] == ["gate-zone"]
    assert api("admin", "GET", "/api/analytics/flags").json()["items"][0]["rule_id"] == "gate-zone"
    # A scoped supervisor sees only the hall camera's rule, and no flag of the gate's.
    hall = api("hanna", "GET", "/api/analytics/precision").json()
    assert [r["key"] for r in hall["rules"]] == ["hall-crowd"] and hall["flags"] == []
    assert api("hanna", "GET", "/api/analytics/flags").json()["items"] == []
    assert api("hanna", "GET", "/api/analytics/precision?camera=gate").status_code == 403


@pytest.mark.parametrize(
    ("user", "analytics", "handover"),
    [("ana", 403, 200), ("fred", 403, 200), ("sue", 200, 200), ("alan", 200, 200),
     ("admin", 200, 403), ("aud", 403, 403)],
)
def test_who_reads_what(api: Any, user: str, analytics: int, handover: int) -> None:
    assert api(user, "GET", "/api/analytics/precision").status_code == analytics
    assert api(user, "GET", "/analytics").status_code == analytics
    assert api(user, "GET", "/api/reports/handover").status_code == handover
    assert api(user, "GET", "/reports/handover").status_code == handover
    # the header links only where the page opens (any console page shows them, an
    # error page too; the field officer's home, the field app, has its own header)
    home = api(user, "GET", "/no-such-page", accept="text/html").text
    assert ('data-testid="nav-analytics"' in home) == (analytics == 200)
    assert ('data-testid="nav-handover"' in home) == (handover == 200)


def test_bad_spans_are_400(api: Any) -> None:
    later, earlier = "2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z"
    path = f"/api/analytics/precision?since={later}&until={earlier}"
    assert api("sue", "GET", path).status_code == 400
    assert api("sue", "GET", f"/api/reports/handover?from={later}&to={earlier}").status_code == 400
    long = "/api/analytics/precision?since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z"
    assert "160 weeks" in api("sue", "GET", long).json()["detail"]


def test_handover_report_notes_and_own_view(deps: AppDeps, api: Any) -> None:
    _handled(deps, api, "g1", "false_alarm")
    _handled(deps, api, "g2", "confirmed", user="bob")
    note = api("ana", "POST", "/api/reports/handover/notes",
               {"text": "Barrier at gate 3 stuck open; maintenance called"})
    assert note.status_code == 201 and note.json()["author"] == "ana"
    assert api("alan", "POST", "/api/reports/handover/notes", {"text": "x"}).status_code == 403
    assert api("ana", "POST", "/api/reports/handover/notes", {"text": ""}).status_code == 422
    full = api("sue", "GET", "/api/reports/handover").json()
    assert full["alarms"] == 2 and full["by_verdict"] == {"false_alarm": 1, "confirmed": 1}
    assert sorted(w["operator"] for w in full["workload"]) == ["ana", "bob"]
    assert [n["text"] for n in full["notes"]] == [
        "Barrier at gate 3 stuck open; maintenance called"]
    own = api("ana", "GET", "/api/reports/handover").json()
    assert own["own_only"] and [w["operator"] for w in own["workload"]] == ["ana"]
    audit = deps.audit.list(AuditQuery(action="handover.note")).items
    assert [(r.actor, r.details["text"]) for r in audit] == [
        ("ana", "Barrier at gate 3 stuck open; maintenance called")]
    page = api("ana", "GET", "/reports/handover")
    assert "Asia/Almaty (UTC+05:00)" in page.text and "Barrier at gate 3" in page.text


def test_handover_pdf_is_a_pdf_with_the_figures(deps: AppDeps, api: Any) -> None:
    pypdf = pytest.importorskip("pypdf")
    for i in range(3):
        _handled(deps, api, f"g{i}", "confirmed" if i else "false_alarm")
    api("ana", "POST", "/api/reports/handover/notes", {"text": "Camera hall lens dirty"})
    resp = api("sue", "GET", "/api/reports/handover.pdf")
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(resp.content)).pages)
    text = " ".join(text.split())
    assert "Shift handover" in text and "Asia/Almaty (UTC+05:00)" in text
    assert "Alarms opened 3" in text and "false_alarm 1" in text and "confirmed 2" in text
    assert "Camera hall lens dirty" in text and "ana" in text
    exported = deps.audit.list(AuditQuery(action="handover.export")).items
    assert [r.actor for r in exported] == ["sue"]
