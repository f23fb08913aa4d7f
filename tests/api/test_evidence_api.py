"""Audit API and page, legal hold and exports over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from kuzet.api import AppDeps
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.privacy.export import verify_export
from kuzet.privacy.keys import Signer


def test_audit_hold_and_export(client: TestClient, deps: AppDeps, tmp_path: Path) -> None:
    deps.store.events.upsert(
        Event(
            id="ev-1",
            camera_id="gate",
            kind=EventKind.ZONE_PRESENCE,
            rule_id="r",
            phase=EventPhase.OPEN,
            started_at=datetime.now(UTC),
            severity=Severity.ALERT,
        )
    )
    assert client.post("/api/events/ev-1/hold", json={"reason": ""}).status_code == 422
    held = client.post("/api/events/ev-1/hold", json={"reason": "case 42"})
    assert held.status_code == 200, held.text
    assert held.json()["legal_hold"] is True
    assert client.post("/api/events/nope/hold", json={"reason": "case 42"}).status_code == 404
    deps.audit.signer = Signer.load_or_create(tmp_path)
    zipped = client.post("/api/exports", json={"event_id": "ev-1", "reason": "court order"})
    if zipped.status_code == 403:  # the test client's role lacks EXPORT: refused, as it must be
        assert "export" in zipped.text
    else:
        assert zipped.status_code == 200, zipped.text
        assert verify_export(zipped.content, deps.audit.signer.public_pem()).ok
    response = client.get("/api/audit", params={"action": "event.hold"})
    if response.status_code == 403:  # the test client's role lacks VIEW_AUDIT
        assert client.get("/api/audit/verify").status_code == 403
        return
    listed = response.json()
    assert listed["items"][0]["target"] == "ev-1"
    assert client.get("/api/audit/verify").json()["ok"] is True
    page = client.get("/audit", params={"action": "event."})
    assert page.status_code == 200 and "event.hold" in page.text
